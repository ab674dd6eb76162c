// SPDX-License-Identifier: Apache-2.0

package openflow

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/ovsoffload/ovsoffload/internal/textsafe"
)

// PortDesc is one port of `ovs-ofctl dump-ports-desc`.
type PortDesc struct {
	// Number is the OpenFlow port number, 0 for a reserved port (LOCAL).
	Number uint32
	// Reserved is the name of a reserved port ("LOCAL"), empty otherwise.
	Reserved string
	// Name is the port's name.
	Name string
	// MAC is the port's hardware address.
	MAC net.HardwareAddr
	// Config and State are the flag words ovs-ofctl prints, such as
	// "PORT_DOWN", "NO_FLOOD" and "LINK_DOWN", "LIVE"; empty when none.
	Config, State []string
	// Current, Advertised, Supported and Peer are the feature words
	// ("10GB-FD", "COPPER", ...), empty when the line is absent.
	Current, Advertised, Supported, Peer []string
	// CurrentMbps and MaxMbps are the speeds of the "speed:" line.
	CurrentMbps, MaxMbps uint64
	// Other holds the indented lines this parser does not know, trimmed.
	Other []string
}

// Has reports whether word is among the port's Config flags (such as
// "NO_FLOOD" after mod-port no-flood).
func (p PortDesc) Has(word string) bool {
	for _, w := range p.Config {
		if w == word {
			return true
		}
	}
	return false
}

// PortsDesc runs `ovs-ofctl dump-ports-desc TARGET` and parses its ports,
// in the order ovs-ofctl prints them.
func (o Ofctl) PortsDesc(ctx context.Context, target string) ([]PortDesc, error) {
	if err := checkArg("target", target); err != nil {
		return nil, err
	}
	out, err := o.run(ctx, "dump-ports-desc", target)
	if err != nil {
		return nil, err
	}
	return ParsePortsDesc(out)
}

// ParsePortsDesc reads the reply of dump-ports-desc: a header line
// ("OFPST_PORT_DESC reply ...") and, per port, " N(NAME): addr:MAC"
// followed by indented "config:", "state:", feature and "speed:" lines.
func ParsePortsDesc(text string) ([]PortDesc, error) {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	if !strings.Contains(lines[0], "PORT_DESC reply") {
		return nil, fmt.Errorf("openflow: dump-ports-desc: %.80q is not a port description reply", lines[0])
	}
	var out []PortDesc
	for i, l := range lines[1:] {
		n := i + 2
		if off, what := textsafe.Check(l); off >= 0 {
			return nil, fmt.Errorf("openflow: dump-ports-desc: line %d: %s at byte %d", n, what, off+1)
		}
		if len(l) > 4096 {
			return nil, fmt.Errorf("openflow: dump-ports-desc: line %d: %d bytes", n, len(l))
		}
		if strings.HasPrefix(l, "  ") { // a property of the current port
			if len(out) == 0 {
				return nil, fmt.Errorf("openflow: dump-ports-desc: line %d %.80q: a property before any port", n, l)
			}
			p := &out[len(out)-1]
			key, val, _ := strings.Cut(strings.TrimSpace(l), ":")
			words := strings.Fields(val)
			switch key {
			case "config":
				p.Config = flagWords(words)
			case "state":
				p.State = flagWords(words)
			case "current":
				p.Current = words
			case "advertised":
				p.Advertised = words
			case "supported":
				p.Supported = words
			case "peer":
				p.Peer = words
			case "speed":
				// "0 Mbps now, 10000 Mbps max"
				if len(words) != 6 || words[1] != "Mbps" || words[4] != "Mbps" {
					return nil, fmt.Errorf("openflow: dump-ports-desc: line %d %.80q: want N Mbps now, M Mbps max", n, l)
				}
				cur, err1 := strconv.ParseUint(words[0], 10, 64)
				mx, err2 := strconv.ParseUint(words[3], 10, 64)
				if err1 != nil || err2 != nil {
					return nil, fmt.Errorf("openflow: dump-ports-desc: line %d %.80q: bad speed", n, l)
				}
				p.CurrentMbps, p.MaxMbps = cur, mx
			default:
				p.Other = append(p.Other, strings.TrimSpace(l))
			}
			continue
		}
		p, err := parsePortHead(strings.TrimSpace(l))
		if err != nil {
			return nil, fmt.Errorf("openflow: dump-ports-desc: line %d %.80q: %w", n, l, err)
		}
		out = append(out, p)
	}
	return out, nil
}

// flagWords returns the flag words of a config or state line, none for "0".
func flagWords(w []string) []string {
	if len(w) == 1 && w[0] == "0" {
		return nil
	}
	return w
}

// parsePortHead reads "N(NAME): addr:MAC" (N a number or LOCAL).
func parsePortHead(s string) (PortDesc, error) {
	var p PortDesc
	head, addr, ok := strings.Cut(s, "): addr:")
	num, name, ok2 := strings.Cut(head, "(")
	if !ok || !ok2 || name == "" {
		return p, fmt.Errorf("want N(NAME): addr:MAC")
	}
	p.Name = name
	if v, err := strconv.ParseUint(num, 10, 32); err == nil {
		p.Number = uint32(v)
	} else if num != "" && strings.IndexFunc(num, func(r rune) bool { return r < 'A' || r > 'Z' }) < 0 {
		p.Reserved = num
	} else {
		return p, fmt.Errorf("port number %q", num)
	}
	mac, err := net.ParseMAC(addr)
	if err != nil {
		return p, fmt.Errorf("address: %w", err)
	}
	p.MAC = mac
	return p, nil
}
