// SPDX-License-Identifier: Apache-2.0

package appctl

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ParseError says which line of a command's reply a typed result could not
// read, and why.
type ParseError struct {
	// Command is the command whose reply was read.
	Command string
	// Line is the 1-based line number in the reply; 0 for the whole reply.
	Line int
	// Text is the line (at most 120 bytes of it, escaped when printed).
	Text string
	// Reason says what was expected.
	Reason string
}

func (e *ParseError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("appctl: %s: %s", e.Command, e.Reason)
	}
	return fmt.Sprintf("appctl: %s: line %d %.120q: %s", e.Command, e.Line, e.Text, e.Reason)
}

func parseErr(cmd string, line int, text, reason string, a ...any) *ParseError {
	if len(text) > 120 {
		text = text[:120]
	}
	return &ParseError{Command: cmd, Line: line, Text: text, Reason: fmt.Sprintf(reason, a...)}
}

// replyLines splits a reply into lines and refuses control characters other
// than tab in it (a reply is text meant for a terminal).
func replyLines(cmd, text string) ([]string, error) {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	for i, l := range lines {
		if strings.ContainsFunc(l, func(r rune) bool { return isControl(r) && r != '\t' }) {
			return nil, parseErr(cmd, i+1, l, "control character in the reply")
		}
	}
	if len(lines) == 1 && lines[0] == "" {
		return nil, nil
	}
	return lines, nil
}

// checkArg refuses an argument that is empty or holds a control character:
// the typed calls send names and matches, never such bytes.
func checkArg(cmd, what, s string) error {
	if s == "" || strings.ContainsFunc(s, isControl) {
		return fmt.Errorf("appctl: %s: bad %s %q", cmd, what, s)
	}
	return nil
}

// Version is what the version command prints: "ovs-vswitchd (Open vSwitch)
// 3.1.0".
type Version struct {
	// Daemon is the program's name ("ovs-vswitchd", "ovsdb-server").
	Daemon string
	// Package is the package in parentheses ("Open vSwitch").
	Package string
	// Version is the version string ("3.1.0", "3.3.90").
	Version string
	// Extra holds the reply's further lines, verbatim.
	Extra []string
}

// ParseVersion reads the reply of the version command.
func ParseVersion(text string) (Version, error) {
	const cmd = "version"
	lines, err := replyLines(cmd, text)
	if err != nil {
		return Version{}, err
	}
	if len(lines) == 0 {
		return Version{}, parseErr(cmd, 0, "", "empty reply")
	}
	first := lines[0]
	open, close := strings.Index(first, " ("), strings.LastIndex(first, ") ")
	if open <= 0 || close < open {
		return Version{}, parseErr(cmd, 1, first, `want "DAEMON (PACKAGE) VERSION"`)
	}
	v := Version{Daemon: first[:open], Package: first[open+2 : close], Version: strings.TrimSpace(first[close+2:]), Extra: lines[1:]}
	if v.Version == "" || strings.ContainsAny(v.Version, " \t") || strings.ContainsAny(v.Daemon, " \t") {
		return Version{}, parseErr(cmd, 1, first, `want "DAEMON (PACKAGE) VERSION"`)
	}
	return v, nil
}

// Version runs version and parses it.
func (c *Client) Version(ctx context.Context) (Version, error) {
	text, err := c.Call(ctx, "version")
	if err != nil {
		return Version{}, err
	}
	return ParseVersion(text)
}

// WaitReady waits until the daemon target (as for FindSocket) answers on its
// control socket, and returns its version: the readiness check controllers
// make before talking to ovs-vswitchd. It polls every interval (100ms when
// 0) until ctx ends, and then returns the last failure wrapped with the
// context's error.
func WaitReady(ctx context.Context, rundir, target string, interval time.Duration) (Version, error) {
	if interval <= 0 {
		interval = 100 * time.Millisecond
	}
	var last error
	for {
		v, err := ready(ctx, rundir, target)
		if err == nil {
			return v, nil
		}
		var pe *ParseError
		if errors.As(err, &pe) {
			return Version{}, err // the daemon answered, with nonsense
		}
		last = err
		t := time.NewTimer(interval)
		select {
		case <-ctx.Done():
			t.Stop()
			return Version{}, fmt.Errorf("appctl: %s not ready: %w (last: %v)", target, ctx.Err(), last)
		case <-t.C:
		}
	}
}

func ready(ctx context.Context, rundir, target string) (Version, error) {
	path, err := FindSocket(rundir, target)
	if err != nil {
		return Version{}, err
	}
	c, err := Dial(path)
	if err != nil {
		return Version{}, err
	}
	defer c.Close()
	return c.Version(ctx)
}

// DPFeature is one line of dpif/show-dp-features: a feature's name and the
// value the datapath was probed to have ("Yes", "No" or a number).
type DPFeature struct {
	Name  string
	Value string
}

// DPFeatures is what dpif/show-dp-features prints, in its order.
type DPFeatures []DPFeature

// Names of some datapath features, as dpif/show-dp-features prints them.
const (
	FeatureRecirc        = "Recirc"
	FeatureCTState       = "CT state"
	FeatureCTZone        = "CT zone"
	FeatureCTMark        = "CT mark"
	FeatureCTLabel       = "CT label"
	FeatureCTStateNAT    = "CT state NAT"
	FeatureCTOrigTuple   = "CT orig tuple"
	FeatureCTOrigTuple6  = "CT orig tuple for IPv6"
	FeatureUFID          = "Ufid"
	FeatureCheckPktLen   = "Check pkt length action"
	FeatureExplicitDrop  = "Explicit Drop action"
	FeatureCTClear       = "Conntrack clear"
	FeatureMaxVLAN       = "Max VLAN headers"
	FeatureMaxMPLSDepth  = "Max MPLS depth"
	FeatureSampleNesting = "Sample nesting"
	FeatureMaxDPHashAlg  = "Max dp_hash algorithm"
	FeatureTunnelPushPop = "Tunnel push pop"
)

// Get returns the value of the feature named name.
func (f DPFeatures) Get(name string) (string, bool) {
	for _, x := range f {
		if x.Name == name {
			return x.Value, true
		}
	}
	return "", false
}

// Bool returns a Yes/No feature's value; ok is false when the feature is
// absent or not Yes/No.
func (f DPFeatures) Bool(name string) (value, ok bool) {
	v, found := f.Get(name)
	switch {
	case !found:
		return false, false
	case v == "Yes":
		return true, true
	case v == "No":
		return false, true
	}
	return false, false
}

// Int returns a numeric feature's value; ok is false when the feature is
// absent or not a number.
func (f DPFeatures) Int(name string) (int, bool) {
	v, found := f.Get(name)
	if !found {
		return 0, false
	}
	n, err := strconv.Atoi(v)
	return n, err == nil
}

// ParseDPFeatures reads the reply of dpif/show-dp-features: one
// "Name: Value" line per feature.
func ParseDPFeatures(text string) (DPFeatures, error) {
	const cmd = "dpif/show-dp-features"
	lines, err := replyLines(cmd, text)
	if err != nil {
		return nil, err
	}
	var out DPFeatures
	for i, l := range lines {
		name, value, ok := strings.Cut(l, ": ")
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		if !ok || name == "" || value == "" {
			return nil, parseErr(cmd, i+1, l, `want "Feature: Value"`)
		}
		if _, dup := out.Get(name); dup {
			return nil, parseErr(cmd, i+1, l, "feature %q twice", name)
		}
		out = append(out, DPFeature{Name: name, Value: value})
	}
	if len(out) == 0 {
		return nil, parseErr(cmd, 0, "", "no features in the reply")
	}
	return out, nil
}

// DPFeatures runs dpif/show-dp-features for bridge and parses it.
func (c *Client) DPFeatures(ctx context.Context, bridge string) (DPFeatures, error) {
	if err := checkArg("dpif/show-dp-features", "bridge", bridge); err != nil {
		return nil, err
	}
	text, err := c.Call(ctx, "dpif/show-dp-features", bridge)
	if err != nil {
		return nil, err
	}
	return ParseDPFeatures(text)
}

// Datapath is one datapath of dpctl/show.
type Datapath struct {
	// Name is "type@name" ("system@ovs-system", "netdev@ovs-netdev").
	Name string
	// Hit, Missed and Lost are the lookups line's counters.
	Hit, Missed, Lost uint64
	// Flows is the number of datapath flows.
	Flows uint64
	// Stats holds the datapath's other counter lines ("masks", "cache"),
	// key "line:counter" ("masks:hit", "masks:total", "cache:hit"),
	// integers only (rates are left out).
	Stats map[string]uint64
	// Ports are the datapath's ports in printed order.
	Ports []DatapathPort
	// Extra holds the datapath's lines not read into fields, verbatim.
	Extra []string
}

// DatapathPort is a "port N: NAME (TYPE: CONFIG)" line of dpctl/show.
type DatapathPort struct {
	// No is the datapath port number.
	No uint32
	// Name is the port's name.
	Name string
	// Type is the netdev type in parentheses ("internal", "geneve", "tap");
	// empty for a system port, which prints none.
	Type string
	// Config is what follows the type after ": " ("packet_type=ptap,
	// dst_port=6081"), verbatim.
	Config string
	// Stats holds the counters printed with -s, keyed "RX packets",
	// "TX bytes", "collisions"...; nil without -s.
	Stats map[string]uint64
}

// ParseDatapathShow reads the reply of dpctl/show [-s].
func ParseDatapathShow(text string) ([]Datapath, error) {
	const cmd = "dpctl/show"
	lines, err := replyLines(cmd, text)
	if err != nil {
		return nil, err
	}
	var out []Datapath
	for i, l := range lines {
		n := i + 1
		switch {
		case l == "":
			continue
		case !strings.HasPrefix(l, " "):
			name, ok := strings.CutSuffix(l, ":")
			if !ok || name == "" || strings.ContainsAny(name, " \t") {
				return nil, parseErr(cmd, n, l, `want "TYPE@NAME:"`)
			}
			out = append(out, Datapath{Name: name})
			continue
		}
		if len(out) == 0 {
			return nil, parseErr(cmd, n, l, "a datapath's line before any datapath")
		}
		dp := &out[len(out)-1]
		t := strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(t, "port "):
			p, err := parseDPPort(strings.TrimPrefix(t, "port "))
			if err != nil {
				return nil, parseErr(cmd, n, l, "%v", err)
			}
			dp.Ports = append(dp.Ports, p)
		case strings.HasPrefix(l, "    ") && len(dp.Ports) > 0:
			p := &dp.Ports[len(dp.Ports)-1]
			if p.Stats == nil {
				p.Stats = map[string]uint64{}
			}
			if err := portStats(t, p.Stats); err != nil {
				return nil, parseErr(cmd, n, l, "%v", err)
			}
		case strings.HasPrefix(t, "lookups:"):
			kv, err := counters(strings.TrimPrefix(t, "lookups:"))
			if err != nil {
				return nil, parseErr(cmd, n, l, "%v", err)
			}
			dp.Hit, dp.Missed, dp.Lost = kv["hit"], kv["missed"], kv["lost"]
		case strings.HasPrefix(t, "flows:"):
			v, err := strconv.ParseUint(strings.TrimSpace(strings.TrimPrefix(t, "flows:")), 10, 64)
			if err != nil {
				return nil, parseErr(cmd, n, l, "flows: not a count")
			}
			dp.Flows = v
		case strings.HasPrefix(t, "masks:") || strings.HasPrefix(t, "cache:"):
			key, rest, _ := strings.Cut(t, ":")
			kv, err := counters(rest)
			if err != nil {
				return nil, parseErr(cmd, n, l, "%v", err)
			}
			if dp.Stats == nil {
				dp.Stats = map[string]uint64{}
			}
			for k, v := range kv {
				dp.Stats[key+":"+k] = v
			}
		default:
			dp.Extra = append(dp.Extra, l)
		}
	}
	return out, nil
}

// counters reads "a:1 b:2 c:0.50" into integers, skipping values that are
// not integers (rates, percentages).
func counters(s string) (map[string]uint64, error) {
	kv := map[string]uint64{}
	for _, f := range strings.Fields(s) {
		k, v, ok := strings.Cut(f, ":")
		if !ok || k == "" {
			return nil, fmt.Errorf("%q is not key:value", f)
		}
		if n, err := strconv.ParseUint(v, 10, 64); err == nil {
			kv[k] = n
		}
	}
	return kv, nil
}

func parseDPPort(s string) (DatapathPort, error) {
	num, rest, ok := strings.Cut(s, ": ")
	if !ok {
		return DatapathPort{}, errors.New(`want "port N: NAME"`)
	}
	no, err := strconv.ParseUint(num, 10, 32)
	if err != nil {
		return DatapathPort{}, fmt.Errorf("port number %q", num)
	}
	p := DatapathPort{No: uint32(no)}
	name, paren, hasType := strings.Cut(rest, " (")
	p.Name = name
	if p.Name == "" || strings.ContainsAny(p.Name, " \t") {
		return DatapathPort{}, fmt.Errorf("port name %q", name)
	}
	if hasType {
		inner, ok := strings.CutSuffix(paren, ")")
		if !ok {
			return DatapathPort{}, errors.New("unclosed port type")
		}
		p.Type, p.Config, _ = strings.Cut(inner, ": ")
	}
	return p, nil
}

// portStats reads a -s line: "RX packets:0 errors:0 ...", "collisions:0",
// "RX bytes:0 (0.0 B)  TX bytes:0 (0.0 B)". Counters OVS prints as "?"
// and the human-readable sizes in parentheses are left out.
func portStats(s string, into map[string]uint64) error {
	prefix := ""
	inParen := false
	for _, w := range strings.Fields(s) {
		switch {
		case inParen || strings.HasPrefix(w, "("):
			inParen = !strings.HasSuffix(w, ")")
			continue
		case w == "RX" || w == "TX":
			prefix = w + " "
			continue
		}
		k, v, ok := strings.Cut(w, ":")
		if !ok || k == "" {
			return fmt.Errorf("%q is not key:value", w)
		}
		if n, err := strconv.ParseUint(v, 10, 64); err == nil {
			into[prefix+k] = n
		}
	}
	return nil
}

// DatapathShow runs dpctl/show (with -s when stats) for the named
// datapaths (all when none) and parses it.
func (c *Client) DatapathShow(ctx context.Context, stats bool, datapaths ...string) ([]Datapath, error) {
	var args []string
	if stats {
		args = append(args, "-s")
	}
	for _, d := range datapaths {
		if err := checkArg("dpctl/show", "datapath", d); err != nil {
			return nil, err
		}
		if strings.HasPrefix(d, "-") {
			return nil, fmt.Errorf("appctl: dpctl/show: bad datapath %q", d)
		}
	}
	text, err := c.Call(ctx, "dpctl/show", append(args, datapaths...)...)
	if err != nil {
		return nil, err
	}
	return ParseDatapathShow(text)
}
