package testenv

import "testing"

func TestStrict(t *testing.T) {
	for _, c := range []struct {
		ci, strict string
		want       bool
	}{{"", "", false}, {"true", "", true}, {"", "1", true}, {"false", "0", false}} {
		t.Setenv("CI", c.ci)
		t.Setenv("OVSOFFLOAD_STRICT", c.strict)
		if got := Strict(); got != c.want {
			t.Errorf("CI=%q OVSOFFLOAD_STRICT=%q: Strict() = %v, want %v", c.ci, c.strict, got, c.want)
		}
	}
}

func TestRequireBinariesPresent(t *testing.T) {
	// sh is on every machine that runs these tests; this must neither skip nor fail.
	RequireBinaries(t, "dash", "sh")
}
