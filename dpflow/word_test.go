// SPDX-License-Identifier: Apache-2.0

package dpflow

import (
	"strings"
	"testing"
)

// The in-place comparisons of fields and keys must answer as
// strings.HasPrefix does, wherever the input ends.
func TestWordMatchesHasPrefix(t *testing.T) {
	inputs := []string{"src=10.0.0.1,dst=10.0.0.2)", "src", "src=", "srcx=1", "dst=1", "",
		"recirc_id(0),in_port(1)", "recirc_id", "eth(src=0a:58:0a:f4:00:01)", "eth_type(0x0800)"}
	words := []string{"src=", "dst=", "recirc_id(", "eth(", "eth_type(", "in_port("}
	for _, w := range words {
		wd := newWord(w)
		for _, in := range inputs {
			for i := 0; i <= len(in); i++ {
				want := strings.HasPrefix(in[i:], w)
				if got := wd.atSlow(in, i); got != want {
					t.Errorf("atSlow(%q, %d) for %q = %v", in, i, w, got)
				}
				// The 16-byte comparison, on the input padded to reach it.
				padded := in + strings.Repeat("\x00", 16)
				if got := load8(padded, i)&wd.loM == wd.lo && load8(padded, i+8)&wd.hiM == wd.hi; got != want {
					t.Errorf("in place (%q, %d) for %q = %v", in, i, w, got)
				}
			}
		}
	}
}

// Every key is in the bucket of its "name(" word, and buckets stay small:
// fastKey tries each key of one bucket.
func TestKeyBuckets(t *testing.T) {
	n := 0
	for b, bucket := range keyBuckets {
		if len(bucket) > 3 {
			t.Errorf("bucket %d holds %d keys", b, len(bucket))
		}
		for _, k := range bucket {
			if keySpecs[k.name] != k.spec || k.w.s != k.name+"(" || keyHash(k.w.lo) != uint64(b) && k.name != "nd" {
				t.Errorf("key %q is not consistent", k.name)
			}
			n++
		}
	}
	if n != len(keySpecs) {
		t.Errorf("%d keys in the buckets, %d in the schema", n, len(keySpecs))
	}
}

func TestValidUsed(t *testing.T) {
	for v, want := range map[string]bool{"never": true, "0.123s": true, "12s": true, "0.0": true, "7": true,
		"": false, "s": false, ".5s": false, "5.s": false, "1.2.3s": false, "1ss": false, "nevers": false, "-1s": false, "0x1s": false} {
		if got := validUsed(v); got != want {
			t.Errorf("validUsed(%q) = %v, want %v", v, got, want)
		}
	}
}
