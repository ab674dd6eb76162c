// SPDX-License-Identifier: Apache-2.0

package ovsdb

import (
	"errors"
	"reflect"
	"testing"
)

// FuzzParseChassis checks that what ParseChassis accepts and Keys
// validates formats back to keys that parse to the same value.
func FuzzParseChassis(f *testing.F) {
	f.Add("192.168.1.10,fd00::10", "physnet:brp0,ext:br-ex", "pf0hpf:192.168.1.10", "100", "ssl:10.0.0.1:6642")
	f.Add("10.0.0.1", "", "", "", "tcp:[fd00::1]:6642")
	f.Add("", "a:b", "p0:1.2.3.4", "4094", "unix:/run/ovn/sb.sock")
	f.Add("1.2.3.4,", "x", "p0", "abc", "tcp:1.2.3.4")
	f.Fuzz(func(t *testing.T, encap, mappings, pfmap, vlan, remote string) {
		ext := map[string]string{KeyEncapIP: encap, KeyBridgeMappings: mappings, KeyPFEncapIPMapping: pfmap,
			KeyGWVLANID: vlan, KeyRemote: remote}
		for k, v := range ext {
			if v == "" {
				delete(ext, k)
			}
		}
		ch, err := ParseChassis(ext)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("ParseChassis error %v does not match ErrInvalid", err)
			}
			return
		}
		keys, err := ch.Keys()
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Keys error %v does not match ErrInvalid", err)
			}
			return
		}
		back, err := ParseChassis(keys)
		if err != nil {
			t.Fatalf("ParseChassis(Keys()) = %v for %v", err, keys)
		}
		if !reflect.DeepEqual(back, ch) {
			t.Fatalf("round trip changed %+v into %+v (keys %v)", ch, back, keys)
		}
	})
}

func TestTxnErrorFormat(t *testing.T) {
	e := &TxnError{Failed: []FailedOp{{Index: 2, Op: `insert Port "p1"`, Error: "constraint violation", Details: "dup"},
		{Index: 5, Op: "commit", Error: "referential integrity violation"}}}
	want := `ovsdb: transaction aborted, nothing applied: op 2 (insert Port "p1"): constraint violation: dup; op 5 (commit): referential integrity violation`
	if e.Error() != want {
		t.Fatalf("Error() = %s\nwant      %s", e.Error(), want)
	}
	if !errors.Is(e, ErrConflict) {
		t.Fatal("constraint violation does not match ErrConflict")
	}
	if errors.Is(&TxnError{Failed: []FailedOp{{Error: "I/O error"}}}, ErrConflict) {
		t.Fatal("I/O error matches ErrConflict")
	}
}
