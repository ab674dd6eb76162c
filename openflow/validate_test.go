// SPDX-License-Identifier: Apache-2.0

package openflow

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestValidateCorpus(t *testing.T) {
	dir := corpusDir(t)
	bad := 0
	for _, name := range []string{"ofp_dump_lines.txt", "ofp_flow_specs.txt"} {
		for i, line := range readLines(t, filepath.Join(dir, name)) {
			f, err := Parse(line)
			if err != nil {
				continue
			}
			// Five specs of tests/ofproto-dpif.at keep the shell's escaping
			// ("packet_type=\(1,0x800\)"): ovs-ofctl never sees the
			// backslashes, and Validate rightly rejects them.
			if strings.Contains(line, `\(`) {
				if f.Validate() == nil {
					t.Errorf("%s:%d: shell-escaped packet_type accepted", name, i+1)
				}
				continue
			}
			if err := f.Validate(); err != nil {
				bad++
				t.Logf("%s:%d: %v", name, i+1, err)
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d corpus lines fail Validate", bad)
	}
}

func TestValidateRejects(t *testing.T) {
	for _, s := range []string{
		"dl_src=00:11:22:33:44,actions=drop",
		"ip,nw_dst=10.0.0.300,actions=drop",
		"ip,nw_dst=10.0.0.0/33,actions=drop",
		"ipv6,ipv6_src=10.0.0.1,actions=drop",
		"reg0=0xg,actions=drop",
		"ip,nw_frag=sometimes,actions=drop",
		"packet_type=(1),actions=drop",
	} {
		f, err := Parse(s)
		if err != nil {
			t.Errorf("Parse(%q): %v", s, err)
			continue
		}
		err = f.Validate()
		pe, ok := err.(*ParseError)
		if !ok || !strings.Contains(s, pe.Text) {
			t.Errorf("Validate(%q) = %v, want a *ParseError naming the field", s, err)
		}
	}
}
