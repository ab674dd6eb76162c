// SPDX-License-Identifier: Apache-2.0

package eswitch

import (
	"errors"
	"testing"
)

func TestParsePortName(t *testing.T) {
	tests := []struct {
		in   string
		want Identity
	}{
		{"p0", Identity{Flavour: FlavourPhysical, Port: 0, PF: 0}},
		{"p1", Identity{Flavour: FlavourPhysical, Port: 1, PF: 1}},
		{"p2s1", Identity{Flavour: FlavourPhysical, Port: 2, PF: 2, Split: 1, IsSplit: true}},
		{"pf0", Identity{Flavour: FlavourPCIPF, PF: 0}},
		{"c1pf0", Identity{Flavour: FlavourPCIPF, Controller: 1, External: true, PF: 0}},
		{"pf0vf5", Identity{Flavour: FlavourPCIVF, PF: 0, VF: 5}},
		{"c1pf0vf5", Identity{Flavour: FlavourPCIVF, Controller: 1, External: true, PF: 0, VF: 5}},
		{"c0pf1vf7", Identity{Flavour: FlavourPCIVF, Controller: 0, External: true, PF: 1, VF: 7}},
		{"pf1sf88", Identity{Flavour: FlavourPCISF, PF: 1, SF: 88}},
		{"c1pf0sf3", Identity{Flavour: FlavourPCISF, Controller: 1, External: true, PF: 0, SF: 3}},
	}
	for _, tt := range tests {
		got, err := ParsePortName(tt.in)
		if err != nil {
			t.Errorf("ParsePortName(%q): %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("ParsePortName(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
		if back := got.PortName(); back != tt.in {
			t.Errorf("PortName(ParsePortName(%q)) = %q", tt.in, back)
		}
	}
}

func TestParsePortNameLocalAndExternalDiffer(t *testing.T) {
	local, err1 := ParsePortName("pf0vf5")
	ext, err2 := ParsePortName("c1pf0vf5")
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	if local == ext {
		t.Fatal("pf0vf5 and c1pf0vf5 parsed to the same identity")
	}
}

func TestParsePortNameErrors(t *testing.T) {
	tests := []struct {
		in     string
		column int
	}{
		{"", 1},
		{"eth0", 1},
		{"p", 2},
		{"p01", 2},
		{"pf", 3},
		{"pf0vf", 6},
		{"c1", 3},
		{"c1p0", 3},
		{"pf0vf1x", 7},
		{"pf70000", 3},
		{"pf0sf", 6},
		{"p0s", 4},
	}
	for _, tt := range tests {
		_, err := ParsePortName(tt.in)
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("ParsePortName(%q) = %v, want *ParseError", tt.in, err)
			continue
		}
		if pe.Column != tt.column || pe.Text != tt.in {
			t.Errorf("ParsePortName(%q): column %d text %q, want column %d", tt.in, pe.Column, pe.Text, tt.column)
		}
	}
}

func FuzzParsePortName(f *testing.F) {
	for _, s := range []string{"p0", "p1", "p0s1", "pf0", "c1pf0", "pf0vf7", "c1pf0vf7", "pf0sf0", "c1pf1sf4", "eth0", "pf0vf"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := ParsePortName(s)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Column < 1 || pe.Column > len(s)+1 {
				t.Fatalf("ParsePortName(%q): bad error %v", s, err)
			}
			return
		}
		if back := id.PortName(); back != s {
			t.Fatalf("PortName(ParsePortName(%q)) = %q", s, back)
		}
	})
}
