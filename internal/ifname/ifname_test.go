// SPDX-License-Identifier: Apache-2.0

package ifname

import (
	"errors"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	good := []string{"p0", "pf0hpf", "pf0vf7", "c1pf0vf7", "en3f0pf0sf0", "forOVN0", "brp0", "br-int", "a23456789012345",
		"ens1#0", "eth0.100", "a_b-c@d", "~"}
	for _, n := range good {
		if err := Validate(n); err != nil {
			t.Errorf("Validate(%q) = %v, want nil", n, err)
		}
		if err := KernelValid(n); err != nil {
			t.Errorf("KernelValid(%q) = %v, want nil", n, err)
		}
	}
	// Refused by the kernel's dev_valid_name, so by both.
	kernelBad := []string{"", ".", "..", "a234567890123456", "a/b", "a b", "a:1", "x\x00", "a\vb", "a\fb", "a\tb",
		"a\nb", "a\rb", "a\xa0b", " ", "\v"}
	for _, n := range kernelBad {
		for name, f := range map[string]func(string) error{"KernelValid": KernelValid, "Validate": Validate} {
			err := f(n)
			if err == nil {
				t.Errorf("%s(%q) = nil, want error", name, n)
				continue
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("%s(%q) = %v, does not match ErrInvalid", name, n, err)
			}
		}
	}
	// Accepted by the kernel (tried: see the package doc), refused by
	// Validate: control characters and bytes >= 0x80.
	policyBad := []string{"a\x01b", "a\x1b[2J", "a\x7fb", "a\x85b", "aüb", "\xff\xfe", "a\x80"}
	for _, n := range policyBad {
		if err := KernelValid(n); err != nil {
			t.Errorf("KernelValid(%q) = %v, want nil: the kernel accepts it", n, err)
		}
		err := Validate(n)
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "printable ASCII") {
			t.Errorf("Validate(%q) = %v, want a printable-ASCII refusal", n, err)
		}
	}
}
