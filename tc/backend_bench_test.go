// SPDX-License-Identifier: Apache-2.0

package tc

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/ovsoffload/ovsoffload/dpflow"
	"github.com/ovsoffload/ovsoffload/offload"
)

// verifyInputs builds what Verify reads for n flows: a dpctl/dump-flows -m
// --names text and a flower filter dump whose action cookies carry the
// same UFIDs (the recorded in_hw filter message, its cookie rewritten).
func verifyInputs(b *testing.B, n int) (string, []byte) {
	b.Helper()
	fs, err := DecodeMessages(dumpInHW)
	if err != nil || len(fs) != 1 {
		b.Fatalf("recorded dump: %d filters, %v", len(fs), err)
	}
	u, ok := fs[0].UFID()
	if !ok {
		b.Fatal("the recorded filter carries no UFID")
	}
	at := bytes.Index(dumpInHW, UFIDCookie(u))
	if at < 0 || bytes.Contains(dumpInHW[at+1:], UFIDCookie(u)) {
		b.Fatal("cookie not found exactly once in the recorded message")
	}
	var text strings.Builder
	dump := make([]byte, 0, n*len(dumpInHW))
	for i := range n {
		id := ufidWords(uint32(i)+1, 0x1111_2222, 0x3333_4444, 0x5555_6666)
		msg := append([]byte(nil), dumpInHW...)
		copy(msg[at:], UFIDCookie(id))
		dump = append(dump, msg...)
		fmt.Fprintf(&text, "%s, recirc_id(0),in_port(eth1),eth(src=02:00:00:00:%02x:%02x,dst=02:00:00:00:20:02),eth_type(0x0800),ipv4(src=10.32.%d.%d,dst=10.32.0.2,proto=1,tos=0/0,ttl=0/0,frag=no), packets:4, bytes:392, used:0.3s, offloaded:yes, dp:tc, actions:eth2\n",
			id, (i>>8)&0xff, i&0xff, (i>>8)&0xff, i&0xff)
	}
	return text.String(), dump
}

// BenchmarkVerify10k measures the verification of 10,000 flows from the
// dpctl text and the filter dump to the report: parse, decode, join by UFID,
// classify. It reports ms per verification.
func BenchmarkVerify10k(b *testing.B) {
	text, dump := verifyInputs(b, 10000)
	b.SetBytes(int64(len(text) + len(dump)))
	var r *offload.Report
	for b.Loop() {
		var flows []*dpflow.Flow
		sc := dpflow.NewScanner(strings.NewReader(text))
		for sc.Scan() {
			flows = append(flows, sc.Flow().Clone())
		}
		if err := sc.Err(); err != nil {
			b.Fatal(err)
		}
		filters, err := DecodeMessages(dump)
		if err != nil {
			b.Fatal(err)
		}
		ev := make(map[dpflow.UFID]offload.Evidence, len(filters))
		for _, f := range filters {
			du, _ := f.UFID()
			ev[du] = offload.Evidence{InHW: f.Flags.InHW(), NotInHW: f.Flags.NotInHW()}
		}
		r = offload.Classify(flows, offload.Facts{Backend: "tc", HWOffload: true,
			Evidence: func(u dpflow.UFID) (offload.Evidence, bool) { e, ok := ev[u]; return e, ok }})
	}
	if r.Totals.Flows != 10000 || r.Totals.ByState[offload.InHardware] != 10000 {
		b.Fatalf("report: %+v", r.Totals)
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/verify")
}
