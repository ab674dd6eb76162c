// SPDX-License-Identifier: Apache-2.0

package appctl

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
)

// Upcall is one datapath's section of upcall/show.
type Upcall struct {
	// Datapath is the datapath's name ("system@ovs-system").
	Datapath string
	// Flows: current, average and maximum datapath flows, and the dynamic
	// flow limit.
	FlowsCurrent, FlowsAvg, FlowsMax, FlowLimit uint64
	// Offloaded is the "offloaded flows" count; HasOffloaded says whether
	// the daemon printed it (kernel datapath with hw-offload).
	Offloaded    uint64
	HasOffloaded bool
	// DumpDuration is the last flow dump's duration.
	DumpDuration time.Duration
	// UFIDEnabled says whether flows are dumped by UFID.
	UFIDEnabled bool
	// Revalidators map a revalidator thread's id to its ukey count.
	Revalidators map[int]uint64
	// Extra holds the lines not read into fields, verbatim.
	Extra []string
}

// ParseUpcallShow reads the reply of upcall/show.
func ParseUpcallShow(text string) ([]Upcall, error) {
	const cmd = "upcall/show"
	lines, err := replyLines(cmd, text)
	if err != nil {
		return nil, err
	}
	var out []Upcall
	for i, l := range lines {
		n := i + 1
		if l == "" {
			continue
		}
		if !strings.HasPrefix(l, " ") {
			name, ok := strings.CutSuffix(l, ":")
			if !ok || name == "" || strings.ContainsAny(name, " \t") {
				return nil, parseErr(cmd, n, l, `want "DATAPATH:"`)
			}
			out = append(out, Upcall{Datapath: name, Revalidators: map[int]uint64{}})
			continue
		}
		if len(out) == 0 {
			return nil, parseErr(cmd, n, l, "a datapath's line before any datapath")
		}
		u := &out[len(out)-1]
		key, val, ok := strings.Cut(l, ":")
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		if !ok {
			u.Extra = append(u.Extra, l)
			continue
		}
		switch key {
		case "flows":
			// "(current 0) (avg 0) (max 0) (limit 10000)"
			got := 0
			for _, part := range strings.Split(val, "(")[1:] {
				k, v, ok := strings.Cut(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(part), ")")), " ")
				if !ok {
					return nil, parseErr(cmd, n, l, `want "(NAME COUNT)"`)
				}
				c, err := strconv.ParseUint(v, 10, 64)
				if err != nil {
					return nil, parseErr(cmd, n, l, "%s: %q is not a count", k, v)
				}
				switch k {
				case "current":
					u.FlowsCurrent = c
				case "avg":
					u.FlowsAvg = c
				case "max":
					u.FlowsMax = c
				case "limit":
					u.FlowLimit = c
				default:
					continue
				}
				got++
			}
			if got != 4 {
				return nil, parseErr(cmd, n, l, "want current, avg, max and limit")
			}
		case "offloaded flows":
			c, err := strconv.ParseUint(val, 10, 64)
			if err != nil {
				return nil, parseErr(cmd, n, l, "not a count")
			}
			u.Offloaded, u.HasOffloaded = c, true
		case "dump duration":
			d, err := time.ParseDuration(val)
			if err != nil {
				return nil, parseErr(cmd, n, l, "not a duration")
			}
			u.DumpDuration = d
		case "ufid enabled":
			switch val {
			case "true":
				u.UFIDEnabled = true
			case "false":
			default:
				return nil, parseErr(cmd, n, l, "want true or false")
			}
		default:
			// "  6: (keys 0)": a revalidator.
			id, err := strconv.Atoi(key)
			keys, ok := strings.CutPrefix(val, "(keys ")
			if err != nil || !ok {
				u.Extra = append(u.Extra, l)
				continue
			}
			c, err := strconv.ParseUint(strings.TrimSuffix(keys, ")"), 10, 64)
			if err != nil {
				return nil, parseErr(cmd, n, l, "keys: not a count")
			}
			u.Revalidators[id] = c
		}
	}
	return out, nil
}

// UpcallShow runs upcall/show and parses it.
func (c *Client) UpcallShow(ctx context.Context) ([]Upcall, error) {
	text, err := c.Call(ctx, "upcall/show")
	if err != nil {
		return nil, err
	}
	return ParseUpcallShow(text)
}

// CoverageCounter is one line of coverage/show: a counter's average rates
// over the last five seconds, minute and hour, and its total.
type CoverageCounter struct {
	Name                            string
	PerSec5s, PerSecMin, PerSecHour float64
	Total                           uint64
}

// Coverage is what coverage/show prints.
type Coverage struct {
	// Counters are the counters that were hit, in printed order.
	Counters []CoverageCounter
	// NeverHit is the number of counters never hit.
	NeverHit int
}

// Total returns the total of the counter named name; 0 when it was never
// hit (or does not exist).
func (c Coverage) Total(name string) uint64 {
	for _, x := range c.Counters {
		if x.Name == name {
			return x.Total
		}
	}
	return 0
}

// ParseCoverage reads the reply of coverage/show.
func ParseCoverage(text string) (Coverage, error) {
	const cmd = "coverage/show"
	lines, err := replyLines(cmd, text)
	if err != nil {
		return Coverage{}, err
	}
	var out Coverage
	for i, l := range lines {
		n := i + 1
		f := strings.Fields(l)
		switch {
		case i == 0 && strings.HasPrefix(l, "Event coverage"):
			continue
		case len(f) == 4 && f[1] == "events" && f[2] == "never" && f[3] == "hit":
			c, err := strconv.Atoi(f[0])
			if err != nil || c < 0 {
				return Coverage{}, parseErr(cmd, n, l, "not a count")
			}
			out.NeverHit = c
		case len(f) == 6 && f[4] == "total:":
			cc := CoverageCounter{Name: f[0]}
			rates := []*float64{&cc.PerSec5s, &cc.PerSecMin, &cc.PerSecHour}
			for j, r := range rates {
				v, err := strconv.ParseFloat(strings.TrimSuffix(f[1+j], "/sec"), 64)
				if err != nil || !strings.HasSuffix(f[1+j], "/sec") {
					return Coverage{}, parseErr(cmd, n, l, "rate %q", f[1+j])
				}
				*r = v
			}
			t, err := strconv.ParseUint(f[5], 10, 64)
			if err != nil {
				return Coverage{}, parseErr(cmd, n, l, "total %q", f[5])
			}
			cc.Total = t
			out.Counters = append(out.Counters, cc)
		default:
			return Coverage{}, parseErr(cmd, n, l, `want "NAME RATE/sec RATE/sec RATE/sec total: N"`)
		}
	}
	return out, nil
}

// Coverage runs coverage/show and parses it.
func (c *Client) Coverage(ctx context.Context) (Coverage, error) {
	text, err := c.Call(ctx, "coverage/show")
	if err != nil {
		return Coverage{}, err
	}
	return ParseCoverage(text)
}

// ParseMemory reads the reply of memory/show: "key:count" pairs separated
// by spaces (and lines), such as "handlers:1 ports:2 udpif keys:2" (a key
// may hold spaces: it is what comes before the colon, after the previous
// count).
func ParseMemory(text string) (map[string]uint64, error) {
	const cmd = "memory/show"
	lines, err := replyLines(cmd, text)
	if err != nil {
		return nil, err
	}
	out := map[string]uint64{}
	for i, l := range lines {
		rest := strings.TrimSpace(l)
		for rest != "" {
			k, after, ok := strings.Cut(rest, ":")
			k = strings.TrimSpace(k)
			end := strings.IndexFunc(after, func(r rune) bool { return r < '0' || r > '9' })
			if end < 0 {
				end = len(after)
			}
			if !ok || k == "" || end == 0 || (end < len(after) && after[end] != ' ' && after[end] != '\t') {
				return nil, parseErr(cmd, i+1, l, "want key:count pairs")
			}
			c, err := strconv.ParseUint(after[:end], 10, 64)
			if err != nil {
				return nil, parseErr(cmd, i+1, l, "%s: count out of range", k)
			}
			if _, dup := out[k]; dup {
				return nil, parseErr(cmd, i+1, l, "%q twice", k)
			}
			out[k] = c
			rest = strings.TrimSpace(after[end:])
		}
	}
	return out, nil
}

// Memory runs memory/show and parses it.
func (c *Client) Memory(ctx context.Context) (map[string]uint64, error) {
	text, err := c.Call(ctx, "memory/show")
	if err != nil {
		return nil, err
	}
	return ParseMemory(text)
}

// FDBAdd runs fdb/add: a static MAC learning entry for mac on vlan (0 to
// 4095) at port of bridge, as OVN-Kubernetes adds for its gateway.
func (c *Client) FDBAdd(ctx context.Context, bridge, port string, vlan uint16, mac net.HardwareAddr) error {
	const cmd = "fdb/add"
	if err := checkArg(cmd, "bridge", bridge); err != nil {
		return err
	}
	if err := checkArg(cmd, "port", port); err != nil {
		return err
	}
	if vlan > 4095 {
		return fmt.Errorf("appctl: %s: vlan %d: want 0 to 4095", cmd, vlan)
	}
	if len(mac) != 6 {
		return fmt.Errorf("appctl: %s: %q is not an Ethernet address", cmd, mac)
	}
	_, err := c.Call(ctx, cmd, bridge, port, strconv.Itoa(int(vlan)), mac.String())
	return err
}

// Trace is what ofproto/trace prints, with its summary lines picked out.
type Trace struct {
	// Flow is the traced flow as the daemon read it ("Flow: " line).
	Flow string
	// FinalFlows, Megaflows and DatapathActions are the "Final flow: ",
	// "Megaflow: " and "Datapath actions: " lines, one per translation
	// (more than one when the trace resumes after conntrack or
	// recirculation), in order.
	FinalFlows, Megaflows, DatapathActions []string
	// Text is the whole reply.
	Text string
}

// ParseTrace reads the reply of ofproto/trace.
func ParseTrace(text string) (Trace, error) {
	const cmd = "ofproto/trace"
	lines, err := replyLines(cmd, text)
	if err != nil {
		return Trace{}, err
	}
	t := Trace{Text: text}
	for _, l := range lines {
		switch {
		case strings.HasPrefix(l, "Flow: ") && t.Flow == "":
			t.Flow = strings.TrimPrefix(l, "Flow: ")
		case strings.HasPrefix(l, "Final flow: "):
			t.FinalFlows = append(t.FinalFlows, strings.TrimPrefix(l, "Final flow: "))
		case strings.HasPrefix(l, "Megaflow: "):
			t.Megaflows = append(t.Megaflows, strings.TrimPrefix(l, "Megaflow: "))
		case strings.HasPrefix(l, "Datapath actions: "):
			t.DatapathActions = append(t.DatapathActions, strings.TrimPrefix(l, "Datapath actions: "))
		}
	}
	if t.Flow == "" || len(t.DatapathActions) == 0 {
		return Trace{}, parseErr(cmd, 0, "", `no "Flow: " or no "Datapath actions: " line in the reply`)
	}
	return t, nil
}

// Trace runs ofproto/trace bridge flow [options...] (OpenFlow-style flow
// such as "in_port=p1,dl_dst=00:11:22:33:44:55"; options such as
// "--ct-next", "-generate" or a packet's hex) and parses it.
func (c *Client) Trace(ctx context.Context, bridge, flow string, options ...string) (Trace, error) {
	const cmd = "ofproto/trace"
	if err := checkArg(cmd, "bridge", bridge); err != nil {
		return Trace{}, err
	}
	if err := checkArg(cmd, "flow", flow); err != nil {
		return Trace{}, err
	}
	if strings.HasPrefix(bridge, "-") || strings.HasPrefix(flow, "-") {
		return Trace{}, fmt.Errorf("appctl: %s: bridge %q and flow %q must not start with '-'", cmd, bridge, flow)
	}
	for _, o := range options {
		if err := checkArg(cmd, "option", o); err != nil {
			return Trace{}, err
		}
	}
	text, err := c.Call(ctx, cmd, append([]string{bridge, flow}, options...)...)
	if err != nil {
		return Trace{}, err
	}
	return ParseTrace(text)
}
