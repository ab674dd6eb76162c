// SPDX-License-Identifier: Apache-2.0

package flower

import (
	"encoding/binary"
	"fmt"
	"time"
)

// kind is one action kind: its option attributes, how its parameters are
// written, read back and checked. Each kind lives in its own file (act_*.go);
// kinds below is the only list of them.
type kind struct {
	name string
	// parms are the attributes holding the kind's parameter struct (which
	// begins with struct tc_gen); tm holds struct tcf_t; pad is padding.
	parms    []uint16
	tm, pad  uint16
	hasField func(a *Action) bool // the typed field of the kind is set
	field    string               // its name, for errors
	// init allocates the typed field before a decode.
	init func(a *Action)
	// encode appends the kind's option attributes.
	encode func(e *enc, a *Action)
	// decodeParms reads what follows tc_gen in the parameter struct
	// (data holds the whole struct, at least 20 bytes).
	decodeParms func(where string, data []byte, a *Action) error
	// decodeAttr reads another option attribute; false when it does not
	// know typ (the attribute is then kept opaque).
	decodeAttr func(where string, typ uint16, data []byte, a *Action, st *actState) (bool, error)
	// finish runs after all option attributes were read.
	finish func(where string, a *Action, st *actState) error
	// check validates the typed field in a spec (called only when it is set).
	check func(a *Action) error
}

// actState is what a kind's decoder keeps between attributes.
type actState struct {
	keysEx     []PeditKey
	haveKeysEx bool
}

var kinds = []*kind{&kindGact, &kindMirred, &kindVLAN, &kindTunnelKey, &kindPedit, &kindCT}

func kindByName(name string) *kind {
	for _, k := range kinds {
		if k.name == name {
			return k
		}
	}
	return nil
}

// tcGen encodes the tc_gen header shared by action parameter structs.
func tcGen(index uint32, v Verdict) []byte {
	b := make([]byte, 20)
	binary.NativeEndian.PutUint32(b[0:], index)
	binary.NativeEndian.PutUint32(b[8:], uint32(v))
	return b
}

func encodeAction(e *enc, a *Action) error {
	e.str(actKind, a.Kind)
	k := kindByName(a.Kind)
	var err error
	e.nest(actOptions, func() {
		if k == nil {
			err = fmt.Errorf("tc: cannot program action kind %q", a.Kind)
			return
		}
		k.encode(e, a)
	})
	if len(a.Cookie) > 0 {
		e.attr(actCookie, a.Cookie)
	}
	return err
}

// Validate checks an action before it is sent: a known kind with its typed
// field set and sane, and a cookie of at most 16 bytes.
func (a Action) Validate() error {
	if len(a.Cookie) > 16 {
		return fmt.Errorf("cookie of %d bytes (max 16)", len(a.Cookie))
	}
	k := kindByName(a.Kind)
	if k == nil {
		return fmt.Errorf("cannot program action kind %q", a.Kind)
	}
	if k.hasField != nil && !k.hasField(&a) {
		return fmt.Errorf("kind %q needs Action.%s", a.Kind, k.field)
	}
	if k.check != nil {
		return k.check(&a)
	}
	return nil
}

// decodeActions decodes TCA_FLOWER_ACT. Each action is decoded in its slot
// of the result and st is the kinds' scratch space, so that decoding
// allocates nothing per action beyond what the action holds.
func decodeActions(b []byte, st *actState) ([]Action, error) {
	var acts []Action
	err := Walk("flower/act", b, func(typ, raw uint16, data []byte) error {
		acts = append(acts, Action{})
		return decodeAction("flower/act", data, &acts[len(acts)-1], st)
	})
	return acts, err
}

func decodeAction(where string, b []byte, a *Action, st *actState) error {
	var options []byte
	haveOptions := false
	err := Walk(where, b, func(typ, raw uint16, data []byte) error {
		switch typ {
		case actKind:
			a.Kind = CString(data)
		case actOptions:
			options, haveOptions = data, true
		case actIndex:
			if err := size(where, "/index", data, 4); err != nil {
				return err
			}
			a.Index = binary.NativeEndian.Uint32(data)
		case actCookie:
			a.Cookie = append([]byte(nil), data...)
		case actStats:
			return decodeStats(where, data, &a.Stats)
		case actInHWCount:
			if err := size(where, "/in_hw_count", data, 4); err != nil {
				return err
			}
			v := binary.NativeEndian.Uint32(data)
			a.InHWCount = &v
		case actPad:
		default:
			a.Unknown = append(a.Unknown, Opaque(raw, data))
		}
		return nil
	})
	if err != nil {
		return err
	}
	if haveOptions {
		*st = actState{}
		return decodeActionOptions(where, options, a, st)
	}
	return nil
}

// userHZ is the clock_t tick of tcf_t values (USER_HZ, 100 on Linux).
const userHZ = 100

func ticks(v uint64) time.Duration { return time.Duration(v) * (time.Second / userHZ) }

func decodeTM(where string, data []byte, s *ActionStats) error {
	if err := atLeast(where, "/tm", data, 24); err != nil {
		return err
	}
	s.Installed = ticks(binary.NativeEndian.Uint64(data))
	s.LastUsed = ticks(binary.NativeEndian.Uint64(data[8:]))
	if len(data) >= 32 {
		s.FirstUsed = ticks(binary.NativeEndian.Uint64(data[24:]))
	}
	return nil
}

func decodeActionOptions(where string, b []byte, a *Action, st *actState) error {
	k := kindByName(a.Kind)
	if k == nil {
		return Walk(where, b, func(typ, raw uint16, data []byte) error {
			a.Options = append(a.Options, Opaque(raw, data))
			return nil
		})
	}
	if k.init != nil {
		k.init(a)
	}
	err := Walk(where, b, func(typ, raw uint16, data []byte) error {
		switch {
		case typ == k.pad:
			return nil
		case typ == k.tm:
			return decodeTM(where, data, &a.Stats)
		}
		for _, p := range k.parms {
			if typ == p {
				return decodeParms(where, k, data, a)
			}
		}
		if k.decodeAttr != nil {
			if handled, err := k.decodeAttr(where, typ, data, a, st); handled || err != nil {
				return err
			}
		}
		a.Options = append(a.Options, Opaque(raw, data))
		return nil
	})
	if err != nil {
		return err
	}
	if k.finish != nil {
		return k.finish(where, a, st)
	}
	return nil
}

// decodeParms reads tc_gen (index and verdict), then what the kind adds.
func decodeParms(where string, k *kind, data []byte, a *Action) error {
	if err := atLeast(where, "/parms", data, 20); err != nil {
		return err
	}
	a.Index = binary.NativeEndian.Uint32(data)
	a.Verdict = Verdict(int32(binary.NativeEndian.Uint32(data[8:])))
	if k.decodeParms != nil {
		return k.decodeParms(where, data, a)
	}
	return nil
}

// parmsU32 reads a 32-bit field of a parameter struct at off.
func parmsU32(where string, data []byte, off int) (uint32, error) {
	if err := atLeast(where, "/parms", data, off+4); err != nil {
		return 0, err
	}
	return binary.NativeEndian.Uint32(data[off:]), nil
}
