// SPDX-License-Identifier: Apache-2.0

package flower

import (
	"encoding/binary"
	"fmt"
)

// Options is what a flower filter's TCA_OPTIONS hold: the keys, the
// classifier flags, and the actions; dumps add in_hw_count.
type Options struct {
	Flags Flags
	// InHWCount is TCA_FLOWER_IN_HW_COUNT, the number of devices holding the
	// filter; nil when the kernel did not send it (never encoded).
	InHWCount *uint32
	Match     Match
	Actions   []Action

	scratch actState // the action decoders' state, kept here to save an allocation
}

// AppendOptions appends the attributes of a flower filter's TCA_OPTIONS
// (keys, TCA_FLOWER_FLAGS, then TCA_FLOWER_ACT) to b, without the TCA_OPTIONS
// header itself. Keys with a zero mask are not sent. It fails on an action
// kind it cannot encode or an L4 port match without tcp, udp or sctp; run
// Validate first to get every other check.
func AppendOptions(b []byte, flags Flags, m Match, acts []Action) ([]byte, error) {
	e := enc{b: b}
	for _, k := range keyList {
		if err := k.encode(&e, &m); err != nil {
			return b, err
		}
	}
	e.u32(flowerFlags, uint32(flags))
	if len(acts) > 0 {
		var err error
		e.nest(flowerAct, func() {
			for i := range acts {
				a := &acts[i]
				e.nest(uint16(i+1), func() {
					if aerr := encodeAction(&e, a); aerr != nil && err == nil {
						err = fmt.Errorf("action %d (%s): %w", i+1, a.Kind, aerr)
					}
				})
			}
		})
		if err != nil {
			return b, err
		}
	}
	return e.b, nil
}

// DecodeOptions decodes the payload of a flower filter's TCA_OPTIONS.
// Attributes and action kinds it does not know are kept opaque
// (Match.Unknown, Action.Options); a known attribute of the wrong size is a
// *DecodeError. To decode many filters, use a Decoder.
func DecodeOptions(b []byte) (Options, error) {
	var d Decoder
	return d.Decode(b)
}

// A Decoder decodes the options of many filters, as a dump holds, reusing
// its scratch space from one to the next; the zero value is ready to use. A
// Decoder is not safe for concurrent use.
type Decoder struct {
	o Options // decoded in place: the keys are reached through a table of functions, so it lives on the heap
}

// Decode decodes b as DecodeOptions does. The result shares nothing with
// the Decoder or with b.
func (d *Decoder) Decode(b []byte) (Options, error) {
	d.o = Options{}
	err := d.decode(b)
	o := d.o
	o.scratch = actState{}
	d.o = Options{}
	return o, err
}

func (d *Decoder) decode(b []byte) error {
	o := &d.o
	k := &o.Match
	return Walk(where, b, func(typ, raw uint16, data []byte) error {
		switch typ {
		case flowerAct:
			acts, err := decodeActions(data, &o.scratch)
			if err != nil {
				return err
			}
			o.Actions = acts
			return nil
		case flowerFlags:
			if err := size(where, "/u32", data, 4); err != nil {
				return err
			}
			o.Flags = Flags(binary.NativeEndian.Uint32(data))
			return nil
		case flowerInHWCount:
			if err := size(where, "/u32", data, 4); err != nil {
				return err
			}
			v := binary.NativeEndian.Uint32(data)
			o.InHWCount = &v
			return nil
		}
		if int(typ) < len(keyByAttr) {
			if key := keyByAttr[typ]; key != nil {
				return key.decode(k, typ, data)
			}
		}
		k.Unknown = append(k.Unknown, Opaque(raw, data))
		return nil
	})
}

// Validate checks the keys of a match before anything is sent: address and
// mask of one family, 6-byte MACs, ports only with tcp, udp or sctp, VLAN id
// and priority in range, 16-byte ct labels, enc_opts with a mask.
func (m Match) Validate() error {
	for _, k := range keyList {
		if k.check != nil {
			if err := k.check(&m); err != nil {
				return err
			}
		}
	}
	return nil
}
