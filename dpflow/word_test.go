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

// Every key of keyOrder is a key of the schema, with its "name(" word.
func TestKeyOrder(t *testing.T) {
	seen := map[string]bool{}
	for i, k := range keyOrder {
		if keySpecs[k.name] != k.spec || k.spec.order != i+1 || k.w.s != k.name+"(" || seen[k.name] {
			t.Errorf("keyOrder[%d] = %q is not consistent", i, k.name)
		}
		seen[k.name] = true
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
