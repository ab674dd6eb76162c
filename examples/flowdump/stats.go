// SPDX-License-Identifier: Apache-2.0

package main

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"

	"github.com/ovsoffload/ovsoffload/dpflow"
	"github.com/ovsoffload/ovsoffload/internal/textsafe"
	"github.com/ovsoffload/ovsoffload/openflow"
)

// counts are the --stats tallies: for each kind of dump, the number of
// flows and, per group (dp layer, table, ...), the flows of each value.
type counts struct {
	dp, of tally
}

// tally counts flows of one kind by group and value.
type tally struct {
	flows  int
	groups []string                  // in printing order
	by     map[string]map[string]int // group -> value -> flows
}

func (c *tally) add(group, value string) {
	if c.by == nil {
		c.by = map[string]map[string]int{}
	}
	if c.by[group] == nil {
		c.by[group] = map[string]int{}
		c.groups = append(c.groups, group)
	}
	c.by[group][value]++
}

// dpctl counts a datapath flow by dp layer, offload state and input port.
// A dump without -m has neither dp layer nor offload state.
func (c *counts) dpctl(f *dpflow.Flow) {
	c.dp.flows++
	c.dp.add("dp", orNone(f.DPLayer(), "none"))
	c.dp.add("offloaded", orNone(string(f.OffloadState()), "no"))
	c.dp.add("in_port", orNone(f.InPort(), "none"))
}

// ofctl counts an OpenFlow flow by table and in_port.
func (c *counts) ofctl(f *openflow.Flow) {
	c.of.flows++
	table := f.TableName // with --names
	if table == "" {
		table = strconv.Itoa(int(f.Table))
	}
	c.of.add("table", table)
	port, _ := f.InPort()
	c.of.add("in_port", orNone(port, "none"))
}

func orNone(s, none string) string {
	if s == "" {
		return none
	}
	return s
}

// write prints, for each kind seen, a line of flows then a line per group:
//
//	dpctl flows: 3
//	  dp: ovs=2 tc=1
func (c *counts) write(w io.Writer) {
	for _, k := range []struct {
		name string
		t    *tally
	}{{kindDpctl, &c.dp}, {kindOfctl, &c.of}} {
		if k.t.flows == 0 {
			continue
		}
		fmt.Fprintf(w, "%s flows: %d\n", k.name, k.t.flows)
		for _, g := range k.t.groups {
			fmt.Fprintf(w, "  %s:", g)
			values := make([]string, 0, len(k.t.by[g]))
			for v := range k.t.by[g] {
				values = append(values, v)
			}
			slices.SortFunc(values, compareValues)
			for _, v := range values {
				// Port names come from the dump: escape what a terminal
				// would act on.
				fmt.Fprintf(w, " %s=%d", textsafe.Escape(v), k.t.by[g][v])
			}
			fmt.Fprintln(w)
		}
	}
}

// compareValues orders numbers numerically, before names.
func compareValues(a, b string) int {
	x, errA := strconv.ParseUint(a, 10, 64)
	y, errB := strconv.ParseUint(b, 10, 64)
	switch {
	case errA == nil && errB == nil:
		return cmp.Compare(x, y)
	case errA == nil:
		return -1
	case errB == nil:
		return 1
	}
	return cmp.Compare(a, b)
}
