// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"
)

// syntheticDump returns a dpctl/dump-flows -m dump of n flows as the
// userspace datapath prints it (about 350 bytes per line), in n/1000
// blocks each under a "flow-dump from" header.
func syntheticDump(n int) []byte {
	var b bytes.Buffer
	for i := range n {
		if i%1000 == 0 {
			fmt.Fprintf(&b, "flow-dump from pmd on cpu core: %d\n", i/1000)
		}
		fmt.Fprintf(&b, "ufid:%08x-2222-3333-4444-555555555555, recirc_id(0x%x),dp_hash(0/0),skb_priority(0/0),in_port(%d),skb_mark(0/0),ct_state(0x21/0x21),ct_zone(0x5/0),eth(src=0a:58:0a:f4:00:05,dst=0a:58:0a:f4:00:01),eth_type(0x0800),ipv4(src=10.244.0.5,dst=10.96.0.%d/255.255.255.255,proto=6,frag=no),tcp(dst=443), packets:%d, bytes:%d, used:0.120s, flags:S., dp:ovs, actions:ct(commit,zone=5,nat(dst=10.244.1.7:8443)),recirc(0x%x)\n",
			i, i%7, 2+i%30, i%250, i, i*74, i%97+1)
	}
	return b.Bytes()
}

// BenchmarkFlowdumpCheck measures flowdump --check on a 100k-flow dpctl
// dump: scan, parse, format, parse again and compare every line.
func BenchmarkFlowdumpCheck(b *testing.B) {
	const n = 100_000
	dump := syntheticDump(n)
	b.SetBytes(int64(len(dump)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		var out strings.Builder
		if code := run([]string{"--check"}, bytes.NewReader(dump), &out, io.Discard); code != exitOK {
			b.Fatalf("exit %d: %s", code, out.String())
		}
		if want := fmt.Sprintf("checked %d flows: 0 errors\n", n); out.String() != want {
			b.Fatalf("output %q", out.String())
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "flows/s")
	b.ReportMetric(float64(len(dump))/n, "bytes/flow")
}
