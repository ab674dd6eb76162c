// SPDX-License-Identifier: Apache-2.0

package tc

import (
	"bufio"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ovsoffload/ovsoffload/dpflow"
	"github.com/ovsoffload/ovsoffload/internal/testenv"
	"github.com/ovsoffload/ovsoffload/offload"
)

// xlBase is a flow as `dpctl/dump-flows -m --names` prints it for a pod's
// TCP flow, in OVS's key order; the cases below edit it.
const xlBase = "ufid:3b5c9e1a-7d20-4f6e-9a43-0c1d2e3f4a01, skb_priority(0/0),skb_mark(0/0),ct_state(0/0),ct_zone(0/0),ct_mark(0/0),ct_label(0/0),recirc_id(0),dp_hash(0/0),in_port(pf0vf0),packet_type(ns=0/0,id=0/0),eth(src=0a:58:0a:f4:00:05,dst=0a:58:0a:f4:00:06),eth_type(0x0800),ipv4(src=10.244.0.5/0.0.0.0,dst=10.244.0.6,proto=6,tos=0/0,ttl=0/0,frag=no),tcp(src=0/0,dst=80), packets:3, bytes:180, used:0.5s, dp:ovs, actions:pf0vf1"

func xlFlow(t *testing.T, line string) *dpflow.Flow {
	t.Helper()
	f, err := dpflow.Parse(line)
	if err != nil {
		t.Fatalf("parse %q: %v", line, err)
	}
	return f
}

func edit(old, new string) string {
	if !strings.Contains(xlBase, old) {
		panic("edit: " + old + " not in the base line")
	}
	return strings.Replace(xlBase, old, new, 1)
}

var ifindexes = map[string]int{"pf0vf0": 11, "pf0vf1": 12, "genev_sys_6081": 13}

func resolve(name string) (int, bool) {
	i, ok := ifindexes[name]
	return i, ok
}

func feat(v string) OVSFeatures {
	return OVSFeatures{Version: v, CTStateBits: 0x3f, CTStateKnown: true}
}

func TestOVSFamily(t *testing.T) {
	for v, want := range map[string]OVSFamily{
		"3.1.0": OVSFamily31, "3.1.0-2+deb12u1": OVSFamily31, "v3.1.3": OVSFamily31,
		"3.2.0": OVSFamily3x, "3.5.1": OVSFamily3x, "3.6.0": OVSFamily3x,
		"3.7.0": OVSFamily40, "4.0.0": OVSFamily40, "4.1.90": OVSFamily40,
		"": OVSFamilyUnknown, "2.17.9": OVSFamilyUnknown, "3.0.4": OVSFamilyUnknown, "5.0.0": OVSFamilyUnknown,
		"three": OVSFamilyUnknown, "3": OVSFamilyUnknown, "3.\x001": OVSFamilyUnknown, "99999999.1": OVSFamilyUnknown,
	} {
		if got := (OVSFeatures{Version: v}).Family(); got != want {
			t.Errorf("Family(%q) = %q, want %q", v, got, want)
		}
	}
}

// TestTranslateSpec checks the filter built for an offloadable flow against
// what netdev_tc_flow_put and lib/tc.c would send.
func TestTranslateSpec(t *testing.T) {
	f := xlFlow(t, edit("ct_state(0/0)", "ct_state(0x22/0x23)"))
	tr := (&Translator{Features: feat("3.1.0"), Ifindex: resolve}).Translate(f)
	if !tr.Offloadable || len(tr.Reasons) > 0 || len(tr.Inexpressible) > 0 || len(tr.Unresolved) > 0 {
		t.Fatalf("translation %+v, want offloadable and complete", tr)
	}
	s := tr.Spec
	if s.Ifindex != 11 || s.Parent != ParentIngressQdisc || s.Chain != 0 || s.Protocol != EthPIP {
		t.Errorf("placement %+v", s.FilterID)
	}
	m := s.Match
	if m.EthType != EthPIP || m.Dst != netip.MustParseAddr("10.244.0.6") || m.DstMask != netip.MustParseAddr("255.255.255.255") ||
		m.SrcMask.IsValid() || m.IPProto == nil || *m.IPProto != 6 || m.DstPort != 80 || m.DstPortMask != 0xffff || m.SrcPortMask != 0 {
		t.Errorf("match %+v", m)
	}
	if m.EthSrc.String() != "0a:58:0a:f4:00:05" || m.EthDstMask.String() != "ff:ff:ff:ff:ff:ff" {
		t.Errorf("eth %v/%v %v/%v", m.EthSrc, m.EthSrcMask, m.EthDst, m.EthDstMask)
	}
	// frag=no: is_fragment masked, not set.
	if m.KeyFlagsMask != 1 || m.KeyFlags != 0 {
		t.Errorf("key flags %#x/%#x", m.KeyFlags, m.KeyFlagsMask)
	}
	// ct_state +est+trk-new: +est drops new from the match
	// (parse_match_ct_state_to_flower).
	if m.CtState != CtEstablished|CtTracked || m.CtStateMask != CtEstablished|CtTracked {
		t.Errorf("ct_state %#x/%#x", m.CtState, m.CtStateMask)
	}
	if len(s.Actions) != 1 || s.Actions[0].Kind != "mirred" || s.Actions[0].Mirred.Ifindex != 12 ||
		s.Actions[0].Mirred.Op != EgressRedirect || s.Actions[0].Verdict != VerdictStolen {
		t.Fatalf("actions %+v", s.Actions)
	}
	u, err := UFIDFromCookie(s.Actions[0].Cookie)
	if err != nil || u.String() != "3b5c9e1a-7d20-4f6e-9a43-0c1d2e3f4a01" {
		t.Errorf("cookie %x: %v %v", s.Actions[0].Cookie, u, err)
	}
	s.Flags = FlagSkipSW | FlagVerbose
	s.Prio = 1
	if err := s.Validate(); err != nil {
		t.Errorf("the spec does not validate: %v", err)
	}
	if _, err := filterMessage(opAdd, s); err != nil {
		t.Errorf("the spec does not encode: %v", err)
	}
}

func TestTranslateSpecTunnelAndCT(t *testing.T) {
	line := "ufid:7940666e-a0bd-42a5-8116-1e84e81bb338, skb_priority(0/0),tunnel(tun_id=0x5,src=192.168.201.12,dst=192.168.201.11,ttl=0/0,tp_dst=6081,flags(+key)),skb_mark(0/0),ct_state(0/0),ct_zone(0/0),ct_mark(0/0),ct_label(0/0),recirc_id(0),dp_hash(0/0),in_port(genev_sys_6081),packet_type(ns=0/0,id=0/0),eth(src=8a:18:a4:22:b7:7d,dst=0a:c9:1c:70:01:09),eth_type(0x0800),ipv4(src=10.0.1.6,dst=10.0.1.10,proto=6,tos=0/0,ttl=0/0,frag=no),tcp(src=9001,dst=60774), packets:6946, bytes:459664, used:4.170s, dp:ovs, actions:ct(commit,zone=5,mark=0x1/0xff,nat(src=10.0.0.1-10.0.0.9:1000-2000)),recirc(0x7)"
	tr := (&Translator{Features: feat("3.6.0"), Ifindex: resolve}).Translate(xlFlow(t, line))
	if !tr.Offloadable || len(tr.Inexpressible) > 0 {
		t.Fatalf("translation %+v", tr)
	}
	m := tr.Spec.Match
	if m.EncKeyID == nil || *m.EncKeyID != 5 || m.EncDst != netip.MustParseAddr("192.168.201.11") || m.EncDstPort != 6081 || m.EncDstPortMask != 0xffff || m.EncTTLMask != 0 {
		t.Errorf("tunnel match %+v", m)
	}
	acts := tr.Spec.Actions
	if len(acts) != 2 || acts[0].Kind != "ct" || acts[1].Kind != "gact" {
		t.Fatalf("actions %+v", acts)
	}
	c := acts[0].CT
	if c.Flags != CtCommit|CtNAT|CtNATSrc || c.Zone != 5 || c.Mark != 1 || c.MarkMask != 0xff ||
		c.NATMin != netip.MustParseAddr("10.0.0.1") || c.NATMax != netip.MustParseAddr("10.0.0.9") || c.NATPortMin != 1000 || c.NATPortMax != 2000 {
		t.Errorf("ct %+v", c)
	}
	if n, ok := acts[1].Verdict.Chain(); !ok || n != 7 {
		t.Errorf("recirc became %v", acts[1].Verdict)
	}
	// With an output, the tunnel_key unset comes before it (lib/tc.c).
	line2 := strings.Replace(line, "actions:ct(commit,zone=5,mark=0x1/0xff,nat(src=10.0.0.1-10.0.0.9:1000-2000)),recirc(0x7)", "actions:pf0vf0", 1)
	tr = (&Translator{Features: feat("3.6.0"), Ifindex: resolve}).Translate(xlFlow(t, line2))
	if acts := tr.Spec.Actions; len(acts) != 2 || acts[0].Kind != "tunnel_key" || acts[0].TunnelKey.Op != TunnelKeyRelease || acts[1].Kind != "mirred" {
		t.Errorf("tunnel flow actions %+v", tr.Spec.Actions)
	}
}

type xlCase struct {
	name    string
	line    string
	feat    OVSFeatures
	chains  map[uint32]bool
	code    offload.ReasonCode // "" means offloadable
	contain []string           // in the first reason's detail
}

func TestTranslateRefusals(t *testing.T) {
	many := strings.Repeat("pf0vf1,", 33)
	cases := []xlCase{
		{"pkt_mark", edit("skb_mark(0/0)", "skb_mark(0x5/0xff)"), feat("3.1.0"), nil, offload.ReasonMatchNotOffloadable,
			[]string{"skb_mark(0x5/0xff)", "offloading attribute pkt_mark isn't supported", "test_key_and_mask in lib/netdev-offload-tc.c, OVS 3.1"}},
		{"pkt_mark exact 0 is ignored", edit("skb_mark(0/0)", "skb_mark(0)"), feat("3.1.0"), nil, "", nil},
		{"dp_hash 4.0", edit("dp_hash(0/0)", "dp_hash(0x1/0xf)"), feat("4.0.0"), nil, offload.ReasonMatchNotOffloadable,
			[]string{"dp_hash isn't supported", "lib/dpif-offload-tc-netdev.c, OVS 4.0"}},
		{"skb_priority", edit("skb_priority(0/0)", "skb_priority(0x1)"), feat("3.6.0"), nil, offload.ReasonMatchNotOffloadable,
			[]string{"skb_priority isn't supported", "OVS 3.x"}},
		{"packet_type", edit("packet_type(ns=0/0,id=0/0)", "packet_type(ns=1,id=0x800)"), feat("3.1.0"), nil, offload.ReasonMatchNotOffloadable,
			[]string{"packet_type isn't supported"}},
		{"ct_state rpl unsupported", edit("ct_state(0/0)", "ct_state(0x28/0x28)"), OVSFeatures{Version: "3.1.0", CTStateBits: 0x27, CTStateKnown: true}, nil,
			offload.ReasonCTStateUnsupported, []string{"ct_state bits rpl are not in the kernel's supported set 0x27", "parse_match_ct_state_to_flower", "unknown attribute"}},
		{"ct_state snat never supported", edit("ct_state(0/0)", "ct_state(+trk+snat)"), feat("3.6.0"), nil,
			offload.ReasonCTStateUnsupported, []string{"bits snat"}},
		{"ct_state bits unknown", edit("ct_state(0/0)", "ct_state(0x21/0x21)"), OVSFeatures{Version: "3.1.0"}, nil,
			offload.ReasonCTStateUnsupported, []string{"bits new,trk", "are not known", "probe tc: supported ovs ct_state bits"}},
		{"ct_state supported", edit("ct_state(0/0)", "ct_state(0x21/0x21)"), feat("3.1.0"), nil, "", nil},
		{"ct_zone without conntrack", edit("ct_zone(0/0)", "ct_zone(0x5)"), OVSFeatures{Version: "3.1.0", CTStateKnown: true}, nil,
			offload.ReasonCTStateUnsupported, []string{"ct_zone(0x5)", "no conntrack match"}},
		{"ct action without conntrack", strings.Replace(xlBase, "actions:pf0vf1", "actions:ct(zone=5),recirc(0x2)", 1), OVSFeatures{Version: "3.1.0", CTStateKnown: true}, nil,
			offload.ReasonCTStateUnsupported, []string{"offloads no ct action"}},
		{"ct helper", strings.Replace(xlBase, "actions:pf0vf1", "actions:ct(commit,zone=5,helper=ftp),recirc(0x2)", 1), feat("3.1.0"), nil,
			offload.ReasonActionNotOffloadable, []string{"helper (ftp)", "parse_put_flow_ct_action"}},
		{"frag unmasked 3.1", edit("frag=no", "frag=no/0"), feat("3.1.0"), nil, "", nil},
		{"frag unmasked 3.6", edit("frag=no", "frag=no/0"), feat("3.6.0"), nil, offload.ReasonMatchNotOffloadable,
			[]string{"fragment bits are not matched", "netdev_tc_flow_put"}},
		{"frag unmasked unknown version", edit("frag=no", "frag=no/0"), feat(""), nil, offload.ReasonOVSVersionUnknown,
			[]string{"OVS 3.5 and later", "the version is not known"}},
		{"recirc chain 3.1", edit("recirc_id(0)", "recirc_id(0x5)"), feat("3.1.0"), map[uint32]bool{}, "", nil},
		{"recirc chain 3.6", edit("recirc_id(0)", "recirc_id(0x5)"), feat("3.6.0"), map[uint32]bool{2: true}, offload.ReasonMatchNotOffloadable,
			[]string{"no flow in TC recirculates to chain 5", "non-existing goto chain action"}},
		{"recirc chain 4.0", edit("recirc_id(0)", "recirc_id(0x5)"), feat("4.0.0"), map[uint32]bool{2: true}, offload.ReasonMatchNotOffloadable,
			[]string{"tc_netdev_flow_put in lib/dpif-offload-tc-netdev.c"}},
		{"recirc chain jumped to", edit("recirc_id(0)", "recirc_id(0x5)"), feat("4.0.0"), map[uint32]bool{5: true}, "", nil},
		{"recirc chain unknown version", edit("recirc_id(0)", "recirc_id(0x5)"), feat(""), map[uint32]bool{}, offload.ReasonOVSVersionUnknown, []string{"3.6 and later"}},
		{"ipv6 fragment", strings.Replace(edit("eth_type(0x0800)", "eth_type(0x86dd)"), "ipv4(src=10.244.0.5/0.0.0.0,dst=10.244.0.6,proto=6,tos=0/0,ttl=0/0,frag=no),tcp(src=0/0,dst=80)",
			"ipv6(src=fd00::1/::,dst=fd00::2,label=0/0,proto=44,tclass=0/0,hlimit=0/0,frag=first)", 1), feat("3.1.0"), nil, offload.ReasonMatchNotOffloadable,
			[]string{"offloading of IPv6 fragments isn't supported"}},
		{"ipv6 label", strings.Replace(edit("eth_type(0x0800)", "eth_type(0x86dd)"), "ipv4(src=10.244.0.5/0.0.0.0,dst=10.244.0.6,proto=6,tos=0/0,ttl=0/0,frag=no)",
			"ipv6(src=fd00::1/::,dst=fd00::2,label=0x12345,proto=6,tclass=0/0,hlimit=0/0,frag=no)", 1), feat("3.1.0"), nil, offload.ReasonMatchNotOffloadable,
			[]string{"IPv6 flow label", "unknown attribute"}},
		{"partial vlan mask", edit("eth_type(0x0800)", "eth_type(0x8100),vlan(vid=5/0xf,pcp=0/0),encap(eth_type(0x0800))"), feat("3.1.0"), nil, offload.ReasonMatchNotOffloadable,
			[]string{"partial VLAN"}},
		{"userspace", strings.Replace(xlBase, "actions:pf0vf1", "actions:userspace(pid=3452345,slow_path(action))", 1), feat("3.1.0"), nil,
			offload.ReasonActionNotOffloadable, []string{"userspace(pid=3452345,slow_path(action))", "unsupported put action type", "netdev_tc_parse_nl_actions"}},
		{"sample", strings.Replace(xlBase, "actions:pf0vf1", "actions:sample(sample=50.0%,actions(pf0vf1)),pf0vf1", 1), feat("3.6.0"), nil,
			offload.ReasonActionNotOffloadable, []string{"sample(", "unsupported put action type"}},
		{"hash", strings.Replace(xlBase, "actions:pf0vf1", "actions:hash(l4(0)),recirc(0x3)", 1), feat("4.0.0"), nil,
			offload.ReasonActionNotOffloadable, []string{"hash(l4(0))"}},
		{"set skb_mark", strings.Replace(xlBase, "actions:pf0vf1", "actions:set(skb_mark(0x1)),pf0vf1", 1), feat("3.1.0"), nil,
			offload.ReasonActionNotOffloadable, []string{"unsupported set action type", "parse_put_flow_set_masked_action"}},
		{"set masked ipv4 proto", strings.Replace(xlBase, "actions:pf0vf1", "actions:set(ipv4(src=1.2.3.4/255.255.255.255,proto=17/0xff)),pf0vf1", 1), feat("3.1.0"), nil,
			offload.ReasonActionNotOffloadable, []string{"field proto cannot be rewritten", "unsupported sub attribute of set action type 7"}},
		{"set tunnel tp_src 3.1", strings.Replace(xlBase, "actions:pf0vf1", "actions:set(tunnel(tun_id=0x5,dst=192.168.0.2,ttl=64,tp_src=1234,tp_dst=4789,flags(df|key))),pf0vf1", 1), feat("3.1.0"), nil, "", nil},
		{"set tunnel tp_src 3.6", strings.Replace(xlBase, "actions:pf0vf1", "actions:set(tunnel(tun_id=0x5,dst=192.168.0.2,ttl=64,tp_src=1234,tp_dst=4789,flags(df|key))),pf0vf1", 1), feat("3.6.0"), nil,
			offload.ReasonActionNotOffloadable, []string{"unsupported tunnel key attribute TP_SRC", "parse_put_flow_set_action"}},
		{"33 actions", strings.Replace(xlBase, "actions:pf0vf1", "actions:"+strings.TrimSuffix(many, ","), 1), feat("3.1.0"), nil,
			offload.ReasonActionNotOffloadable, []string{"Can only support 32 actions"}},
		{"32 actions", strings.Replace(xlBase, "actions:pf0vf1", "actions:"+strings.TrimSuffix(strings.Repeat("pf0vf1,", 32), ","), 1), feat("3.1.0"), nil, "", nil},
		{"tunnel release, output, goto", strings.Replace(strings.Replace(xlBase, "skb_priority(0/0),", "skb_priority(0/0),tunnel(tun_id=0x5,src=192.168.0.1,dst=192.168.0.2,ttl=0/0,tp_dst=6081,flags(+key)),", 1),
			"actions:pf0vf1", "actions:pf0vf1,recirc(0x3)", 1), feat("3.1.0"), nil,
			offload.ReasonActionNotOffloadable, []string{"tunnel release + output + goto", "lib/tc.c"}},
		{"tunnel, goto without output", strings.Replace(strings.Replace(xlBase, "skb_priority(0/0),", "skb_priority(0/0),tunnel(tun_id=0x5,src=192.168.0.1,dst=192.168.0.2,ttl=0/0,tp_dst=6081,flags(+key)),", 1),
			"actions:pf0vf1", "actions:recirc(0x3)", 1), feat("3.1.0"), nil, "", nil},
		{"nd", strings.Replace(edit("eth_type(0x0800)", "eth_type(0x86dd)"), "ipv4(src=10.244.0.5/0.0.0.0,dst=10.244.0.6,proto=6,tos=0/0,ttl=0/0,frag=no),tcp(src=0/0,dst=80)",
			"ipv6(src=fd00::1/::,dst=fd00::2/::,label=0/0,proto=58,tclass=0/0,hlimit=0/0,frag=no),icmpv6(type=135/0,code=0/0),nd(target=fd00::2)", 1), feat("3.1.0"), nil,
			offload.ReasonMatchNotOffloadable, []string{"neighbour discovery"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tr := (&Translator{Features: c.feat, Ifindex: resolve, TCChains: c.chains}).Translate(xlFlow(t, c.line))
			if c.code == "" {
				if !tr.Offloadable || len(tr.Reasons) > 0 {
					t.Fatalf("refused: %+v", tr.Reasons)
				}
				return
			}
			if tr.Offloadable || len(tr.Reasons) == 0 {
				t.Fatalf("offloadable, want %s", c.code)
			}
			r := tr.Reasons[0]
			if r.Code != c.code {
				t.Errorf("code %s, want %s (%s)", r.Code, c.code, r.Detail)
			}
			for _, s := range c.contain {
				if !strings.Contains(r.Detail, s) {
					t.Errorf("detail %q lacks %q", r.Detail, s)
				}
			}
		})
	}
}

// corpusFlows reads every flow line of the dpctl dumps of the real-world
// corpus and of this repository's recorded dumps.
func corpusFlows(t testing.TB) []*dpflow.Flow {
	var paths []string
	if d, ok := testenv.OptionalCorpus(t, "realworld"); ok {
		ps, _ := filepath.Glob(filepath.Join(d, "*dpctl*.txt"))
		paths = append(paths, ps...)
	} else {
		t.Logf("the shared corpus %q is absent (../shared/corpus): only this repository's dumps are read", "realworld")
	}
	if d, ok := testenv.OptionalCorpus(t, "ovs-tests"); ok {
		paths = append(paths, filepath.Join(d, "odp_flows.txt"), filepath.Join(d, "odp_dump_lines.txt"))
	} else {
		t.Logf("the shared corpus %q is absent (../shared/corpus): only this repository's dumps are read", "ovs-tests")
	}
	paths = append(paths, filepath.Join("..", "examples", "offload-check", "testdata", "tc.dump"),
		filepath.Join("testdata", "xlate", "ct-node.dump"), filepath.Join("testdata", "xlate", "tc-software.dump"))
	var out []*dpflow.Flow
	for _, p := range paths {
		fh, err := os.Open(p)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			if f, err := dpflow.Parse(sc.Text()); err == nil && len(f.Match) > 0 {
				out = append(out, f)
			}
		}
		fh.Close()
	}
	return out
}

// TestTranslateCorpusTCFlows: every flow a real OVS put into TC (dp:tc) in
// the recorded dumps must not be refused by the translation, whatever the
// version family, and its spec must validate and encode.
func TestTranslateCorpusTCFlows(t *testing.T) {
	flows := corpusFlows(t)
	n := 0
	for _, f := range flows {
		if f.DPLayer() != "tc" {
			continue
		}
		n++
		for _, v := range []string{"3.1.0", "3.6.0", "4.0.0"} {
			tr := (&Translator{Features: feat(v), Ifindex: func(string) (int, bool) { return 7, true }}).Translate(f)
			if !tr.Offloadable {
				t.Errorf("OVS %s: a flow OVS put into TC is refused: %+v\n%s", v, tr.Reasons, f.String())
				continue
			}
			s := tr.Spec
			s.Prio, s.Flags = 1, FlagSkipSW|FlagVerbose
			if err := s.Validate(); err != nil {
				t.Errorf("OVS %s: spec does not validate: %v\n%s", v, err, f.String())
			}
			if _, err := filterMessage(opAdd, s); err != nil {
				t.Errorf("OVS %s: spec does not encode: %v", v, err)
			}
		}
	}
	if n == 0 {
		t.Fatal("no dp:tc flow in the dumps read")
	}
	t.Logf("%d dp:tc flows of %d translated", n, len(flows))
}

// TestTranslateCorpusNoPanic translates every corpus flow under every
// family, and checks each reason is printable and cites OVS.
func TestTranslateCorpusNoPanic(t *testing.T) {
	flows := corpusFlows(t)
	for _, f := range flows {
		for _, v := range []OVSFeatures{feat("3.1.0"), feat("3.6.0"), feat("4.0.0"), {}} {
			tr := (&Translator{Features: v, TCChains: map[uint32]bool{}}).Translate(f)
			for _, r := range tr.Reasons {
				if strings.ContainsFunc(r.Detail, func(c rune) bool { return c < 0x20 }) {
					t.Errorf("reason with a control character: %q", r.Detail)
				}
				if r.Code != offload.ReasonOVSVersionUnknown && !strings.Contains(r.Detail, "(") {
					t.Errorf("reason cites nothing: %q", r.Detail)
				}
			}
		}
	}
}

// FuzzTranslate: any line dpflow accepts translates without panicking, and
// an offloadable, complete translation validates.
func FuzzTranslate(f *testing.F) {
	f.Add(xlBase)
	f.Add(edit("ct_state(0/0)", "ct_state(+trk+est)"))
	for _, fl := range corpusFlows(f) {
		f.Add(fl.String())
	}
	f.Fuzz(func(t *testing.T, line string) {
		fl, err := dpflow.Parse(line)
		if err != nil {
			return
		}
		tr := (&Translator{Features: feat("3.6.0"), Ifindex: func(string) (int, bool) { return 3, true }, TCChains: map[uint32]bool{}}).Translate(fl)
		if tr.Offloadable && len(tr.Inexpressible) == 0 {
			s := tr.Spec
			s.Prio, s.Flags = 1, FlagSkipSW
			_ = s.Validate()
		}
	})
}

// TestTranslateUndecided: with the kernel's ct_state support unknown, a
// ct_state match is neither offloadable nor refused, and the spec is the
// filter OVS builds when the bits are supported.
func TestTranslateUndecided(t *testing.T) {
	tr := (&Translator{Features: OVSFeatures{Version: "3.1.0"}, Ifindex: resolve}).Translate(xlFlow(t, edit("ct_state(0/0)", "ct_state(0x21/0x23)")))
	if tr.Offloadable || tr.Refused || len(tr.Reasons) != 1 || tr.Reasons[0].Code != offload.ReasonCTStateUnsupported {
		t.Fatalf("%+v", tr)
	}
	if m := tr.Spec.Match; m.CtState != CtNew|CtTracked || m.CtStateMask != CtNew|CtEstablished|CtTracked {
		t.Errorf("ct_state %#x/%#x", m.CtState, m.CtStateMask)
	}
	tr = (&Translator{Features: OVSFeatures{Version: "3.1.0"}, Ifindex: resolve}).Translate(xlFlow(t, edit("skb_mark(0/0)", "skb_mark(0x1)")))
	if tr.Offloadable || !tr.Refused {
		t.Errorf("pkt_mark: offloadable %v refused %v", tr.Offloadable, tr.Refused)
	}
}

// TestTranslateVLAN: the dumped eth_type is the tag's TPID, the filter's
// protocol; the ethertype inside the tag comes from encap(...).
func TestTranslateVLAN(t *testing.T) {
	for _, tpid := range []uint16{EthP8021Q, EthP8021AD} {
		line := strings.Replace(xlBase, "eth_type(0x0800),ipv4(src=10.244.0.5/0.0.0.0,dst=10.244.0.6,proto=6,tos=0/0,ttl=0/0,frag=no),tcp(src=0/0,dst=80)",
			fmt.Sprintf("eth_type(%#04x),vlan(vid=5,pcp=0/0),encap(eth_type(0x0800),ipv4(src=10.244.0.5/0.0.0.0,dst=10.244.0.6,proto=6,tos=0/0,ttl=0/0,frag=no),tcp(src=0/0,dst=80))", tpid), 1)
		tr := (&Translator{Features: feat("3.1.0"), Ifindex: resolve}).Translate(xlFlow(t, line))
		if !tr.Offloadable {
			t.Fatalf("%#x: %+v", tpid, tr.Reasons)
		}
		m := tr.Spec.Match
		if tr.Spec.Protocol != tpid || m.EthType != tpid || m.VLANEthType != EthPIP || m.VLANID == nil || *m.VLANID != 5 || m.VLANPrio != nil ||
			m.DstPort != 80 || m.IPProto == nil {
			t.Errorf("%#x: protocol %#x match %+v", tpid, tr.Spec.Protocol, m)
		}
	}
}
