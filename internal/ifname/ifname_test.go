package ifname

import (
	"errors"
	"testing"
)

func TestValidate(t *testing.T) {
	good := []string{"p0", "pf0hpf", "pf0vf7", "c1pf0vf7", "en3f0pf0sf0", "forOVN0", "brp0", "br-int", "a23456789012345"}
	for _, n := range good {
		if err := Validate(n); err != nil {
			t.Errorf("Validate(%q) = %v, want nil", n, err)
		}
	}
	bad := []string{"", ".", "..", "a234567890123456", "a/b", "a b", "a:1", "x\x00"}
	for _, n := range bad {
		err := Validate(n)
		if err == nil {
			t.Errorf("Validate(%q) = nil, want error", n)
			continue
		}
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("Validate(%q) = %v, does not match ErrInvalid", n, err)
		}
	}
}
