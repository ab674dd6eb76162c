// SPDX-License-Identifier: Apache-2.0

package tc

import (
	"encoding/binary"
	"fmt"

	"github.com/mdlayher/netlink"

	"github.com/ovsoffload/ovsoffload/tc/flower"
)

func walk(where string, b []byte, fn func(typ, raw uint16, data []byte) error) error {
	return flower.Walk(where, b, fn)
}

func size(where, suffix string, data []byte, n int) error {
	if len(data) != n {
		return &DecodeError{Where: where + suffix, What: fmt.Sprintf("%d bytes, want %d", len(data), n)}
	}
	return nil
}

// DecodeFilter decodes one RTM_NEWTFILTER message from a dump or a
// notification.
func DecodeFilter(m netlink.Message) (Filter, error) {
	if m.Header.Type != rtmNewTfilter && m.Header.Type != rtmDelTfilter {
		return Filter{}, &DecodeError{Where: "message", What: fmt.Sprintf("type %d is not a filter message", m.Header.Type)}
	}
	return decodeFilter(m.Data, nil)
}

// DecodeMessages decodes a buffer of netlink messages as read from a
// socket (headers included), such as a recorded dump. NLMSG_DONE and
// NLMSG_NOOP are skipped; an NLMSG_ERROR or an interrupted dump is an error.
func DecodeMessages(b []byte) ([]Filter, error) {
	var out []Filter
	var d flower.Decoder
	for len(b) > 0 {
		if len(b) < 16 {
			return nil, &DecodeError{Where: "message", What: fmt.Sprintf("%d trailing bytes", len(b))}
		}
		l := int(binary.NativeEndian.Uint32(b))
		typ := binary.NativeEndian.Uint16(b[4:])
		flags := netlink.HeaderFlags(binary.NativeEndian.Uint16(b[6:]))
		if l < 16 || l > len(b) {
			return nil, &DecodeError{Where: "message", What: fmt.Sprintf("length %d out of %d bytes", l, len(b))}
		}
		data := b[16:l]
		if al := align4(l); al < len(b) {
			b = b[al:]
		} else {
			b = nil
		}
		if flags&netlink.DumpInterrupted != 0 {
			return nil, &DecodeError{Where: "message", What: "dump interrupted (NLM_F_DUMP_INTR): the filter set changed during the dump"}
		}
		switch netlink.HeaderType(typ) {
		case netlink.Noop, netlink.Done:
			continue
		case netlink.Error:
			return nil, &DecodeError{Where: "message", What: "netlink error message in dump"}
		}
		if typ != rtmNewTfilter && typ != rtmDelTfilter {
			return nil, &DecodeError{Where: "message", What: fmt.Sprintf("type %d is not a filter message", typ)}
		}
		f, err := decodeFilter(data, &d)
		if err != nil {
			return nil, err
		}
		if f.IsInstance() {
			continue
		}
		out = append(out, f)
	}
	return out, nil
}

// decodeFilter decodes a filter message's payload; d, when not nil, is the
// options decoder shared by the filters of a dump.
func decodeFilter(b []byte, d *flower.Decoder) (Filter, error) {
	var f Filter
	if len(b) < tcmsgLen {
		return f, &DecodeError{Where: "tcmsg", What: fmt.Sprintf("%d bytes, want %d", len(b), tcmsgLen)}
	}
	f.Ifindex = int(int32(binary.NativeEndian.Uint32(b[4:])))
	f.Handle = binary.NativeEndian.Uint32(b[8:])
	f.Parent = binary.NativeEndian.Uint32(b[12:])
	info := binary.NativeEndian.Uint32(b[16:])
	f.Prio = uint16(info >> 16)
	f.Protocol = infoProtocol(info)
	var options []byte
	haveOptions := false
	err := walk("tca", b[tcmsgLen:], func(typ, raw uint16, data []byte) error {
		switch typ {
		case tcaKind:
			f.Kind = flower.CString(data)
		case tcaChain:
			if err := size("tca", "/chain", data, 4); err != nil {
				return err
			}
			f.Chain = binary.NativeEndian.Uint32(data)
		case tcaOptions:
			options, haveOptions = data, true
		default:
			f.Unknown = append(f.Unknown, flower.Opaque(raw, data))
		}
		return nil
	})
	if err != nil {
		return Filter{}, err
	}
	f.instance = !haveOptions && f.Handle == 0
	if haveOptions {
		if f.Kind == "flower" {
			if err := decodeFlower(options, &f, d); err != nil {
				return Filter{}, err
			}
		} else {
			f.Options = append([]byte(nil), options...)
		}
	}
	return f, nil
}

func decodeFlower(b []byte, f *Filter, d *flower.Decoder) error {
	if d == nil {
		d = new(flower.Decoder)
	}
	o, err := d.Decode(b)
	if err != nil {
		return err
	}
	f.Flags, f.InHWCount, f.Match, f.Actions = o.Flags, o.InHWCount, o.Match, o.Actions
	return nil
}
