// SPDX-License-Identifier: Apache-2.0

package openflow

import (
	"strings"
)

// keywords are the actions written as a bare word.
var keywords = map[string]bool{
	"strip_vlan": true, "pop_vlan": true, "ct_clear": true, "exit": true, "pop_queue": true,
	"dec_mpls_ttl": true, "dec_nsh_ttl": true, "clear_actions": true, "push_nsh": true, "pop_nsh": true,
}

// modActions are the actions written "NAME:VALUE" that Mod carries.
var modActions = map[string]bool{
	"mod_dl_src": true, "mod_dl_dst": true, "mod_nw_src": true, "mod_nw_dst": true, "mod_nw_tos": true,
	"mod_nw_ecn": true, "mod_nw_ttl": true, "mod_tp_src": true, "mod_tp_dst": true, "mod_vlan_vid": true,
	"mod_vlan_pcp": true, "set_vlan_vid": true, "set_vlan_pcp": true, "set_tunnel": true, "set_tunnel64": true,
	"set_queue": true, "push_vlan": true, "push_mpls": true, "pop_mpls": true, "set_mpls_label": true,
	"set_mpls_tc": true, "set_mpls_ttl": true, "enqueue": true, "write_metadata": true, "resubmit": false,
}

// ParseActions parses an action list such as "ct(commit,zone=5),output:2".
// An empty list, or "drop", gives []Action{Drop{}}. Control characters and
// invalid UTF-8 are refused, as in Parse.
func ParseActions(s string) ([]Action, error) {
	if err := checkLine(s); err != nil {
		return nil, err
	}
	acts, err := parseActions(s, 0, len(s))
	if err == nil && len(acts) == 0 {
		acts = append(acts, &Drop{})
	}
	return acts, err
}

func parseActions(s string, start, end int) ([]Action, error) {
	acts := make([]Action, 0, 4)
	err := splitTop(s, start, end, func(a, b int) error {
		if a == b {
			if b >= skipTrailing(s, start, end) {
				return nil // empty list, or a trailing comma (OVS accepts both)
			}
			return errAt(s, a, a+1, "empty action")
		}
		act, err := parseAction(s, a, b)
		if err != nil {
			return err
		}
		acts = append(acts, act)
		return nil
	})
	return acts, err
}

func skipTrailing(s string, start, end int) int {
	for end > start && isSpace(s[end-1]) {
		end--
	}
	return end
}

// parseAction parses s[a:b], one action.
func parseAction(s string, a, b int) (Action, error) {
	i := a
	for i < b && s[i] != ':' && s[i] != '=' && s[i] != '(' {
		i++
	}
	name := s[a:i]
	if name == "" {
		return nil, errAt(s, a, b, "missing action name")
	}
	if i == b {
		return bareAction(name), nil // may be a port name: keep its case
	}
	name = lowerName(name)
	sep := s[i]
	var arg, rest string
	argOff := i + 1
	if sep == '(' {
		c := closeParen(s[:b], i+1)
		if c < 0 {
			return nil, errAt(s, a, b, "unbalanced parentheses")
		}
		arg, rest = s[i+1:c], s[c+1:b]
	} else {
		arg = s[i+1 : b]
	}
	act, ok, err := typedAction(s, name, sep, arg, argOff, rest)
	if err != nil {
		return nil, err
	}
	if ok {
		return act, nil
	}
	if sep == '(' && rest == "" {
		return &Opaque{Action: name, Sep: "(", Arg: arg}, nil
	}
	if sep == '(' {
		return &Opaque{Action: name, Arg: s[i:b]}, nil
	}
	return &Opaque{Action: name, Sep: s[i : i+1], Arg: s[i+1 : b]}, nil
}

func bareAction(name string) Action {
	if strings.EqualFold(name, "drop") {
		return &Drop{}
	}
	switch lowerName(name) {
	case "controller":
		return &Controller{MaxLen: 65535, MeterID: -1}
	case "dec_ttl":
		return &DecTTL{IDs: []uint16{0}}
	}
	if w := lowerName(name); keywords[w] {
		return &Keyword{Word: w}
	}
	if up, ok := reservedPorts[strings.ToLower(name)]; ok {
		return &Output{Port: up}
	}
	return &Output{Port: name}
}

// typedAction decodes the actions the package models. ok=false means "keep
// it opaque"; err is reserved for malformed nested action lists.
func typedAction(s, name string, sep byte, arg string, argOff int, rest string) (Action, bool, error) {
	colon := sep == ':' || sep == '='
	paren := sep == '(' && rest == ""
	if sep == '(' && !balanced(arg) {
		return nil, false, nil // "a][b": keep as written (opaque)
	}
	if t := trimSpace(arg); len(t) != len(arg) {
		if sep == '(' {
			return nil, false, nil // keep as written (opaque)
		}
		arg = t
	}
	switch name {
	case "output":
		if colon {
			return &Output{Port: arg}, arg != "", nil
		}
		if paren && !strings.ContainsAny(arg, "()\"") {
			o := &Output{}
			for _, kv := range strings.Split(arg, ",") {
				k, v, _ := strings.Cut(trimSpace(kv), "=")
				switch k {
				case "port":
					o.Port = v
				case "max_len":
					n, ok := parseUint(v, 16)
					if !ok || n == 0 {
						return nil, false, nil
					}
					o.MaxLen = int(n)
				default:
					return nil, false, nil
				}
			}
			return o, o.Port != "" && o.MaxLen > 0, nil
		}
	case "controller":
		if colon {
			n, ok := parseUint(arg, 16)
			return &Controller{MaxLen: int(n), MeterID: -1}, ok, nil
		}
		if paren {
			return parseController(arg)
		}
	case "resubmit":
		if colon {
			return &Resubmit{Port: arg, Table: -1}, arg != "", nil
		}
		if paren {
			return parseResubmit(arg)
		}
	case "conjunction":
		if paren {
			id, cl, ok := strings.Cut(arg, ",")
			c, n, ok2 := strings.Cut(trimSpace(cl), "/")
			idv, ok3 := parseUint(trimSpace(id), 32)
			cv, ok4 := parseUint(c, 8)
			nv, ok5 := parseUint(n, 8)
			if ok && ok2 && ok3 && ok4 && ok5 {
				return &Conjunction{ID: uint32(idv), Clause: uint8(cv), NClauses: uint8(nv)}, true, nil
			}
		}
	case "ct":
		if paren {
			return parseCT(s, arg, argOff)
		}
	case "learn":
		if paren {
			l := &Learn{Args: make([]LearnArg, 0, 8)}
			ok := true
			_ = splitTop(arg, 0, len(arg), func(x, y int) error {
				item := arg[x:y]
				if item == "" {
					ok = false
					return nil
				}
				j := strings.IndexAny(item, "=:")
				if j < 0 {
					l.Args = append(l.Args, LearnArg{Key: item})
				} else {
					l.Args = append(l.Args, LearnArg{Key: item[:j], Sep: item[j : j+1], Value: item[j+1:]})
				}
				return nil
			})
			return l, ok && len(l.Args) > 0 || arg == "", nil
		}
	case "move", "load", "set_field":
		if colon || paren {
			src, dst, ok := strings.Cut(arg, "->")
			if !ok || src == "" || dst == "" {
				return nil, false, nil
			}
			if paren && !isItem(arg) {
				return nil, false, nil // would not survive the "name:arg" form
			}
			switch name {
			case "move":
				return &Move{Src: src, Dst: dst}, true, nil
			case "load":
				return &Load{Value: src, Dst: dst}, true, nil
			default:
				return &SetField{Value: src, Field: dst}, true, nil
			}
		}
	case "push", "pop":
		if colon && arg != "" {
			if name == "push" {
				return &Push{Field: arg}, true, nil
			}
			return &Pop{Field: arg}, true, nil
		}
	case "group", "meter":
		if colon {
			n, ok := parseUint(arg, 32)
			if !ok {
				return nil, false, nil
			}
			if name == "group" {
				return &Group{ID: uint32(n)}, true, nil
			}
			return &Meter{ID: uint32(n)}, true, nil
		}
	case "goto_table":
		if colon && arg != "" {
			return &GotoTable{Table: arg}, true, nil
		}
	case "note":
		if colon {
			return &Note{Data: arg}, true, nil
		}
	case "check_pkt_larger":
		if sep == '(' && strings.HasPrefix(rest, "->") && len(rest) > 2 {
			n, ok := parseUint(trimSpace(arg), 16)
			return &CheckPktLarger{Len: uint16(n), Dst: rest[2:]}, ok, nil
		}
	case "dec_ttl":
		if paren {
			d := &DecTTL{}
			if arg == "" {
				return d, true, nil
			}
			for _, x := range strings.Split(arg, ",") {
				n, ok := parseUint(trimSpace(x), 16)
				if !ok {
					return nil, false, nil
				}
				d.IDs = append(d.IDs, uint16(n))
			}
			return d, true, nil
		}
	case "clone", "write_actions":
		if paren {
			acts, err := parseActions(s, argOff, argOff+len(arg))
			if err != nil {
				return nil, false, err
			}
			if name == "clone" {
				return &Clone{Actions: acts}, true, nil
			}
			return &WriteActions{Actions: acts}, true, nil
		}
	default:
		if colon && modActions[name] && arg != "" && sep == ':' {
			return &Mod{Action: name, Value: arg}, true, nil
		}
	}
	return nil, false, nil
}

func parseController(arg string) (Action, bool, error) {
	c := &Controller{MaxLen: 65535, MeterID: -1}
	var extra []string
	for _, kv := range strings.Split(arg, ",") {
		kv = trimSpace(kv)
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "reason":
			if v == "action" {
				v = ""
			}
			c.Reason = v
		case "max_len":
			n, ok := parseUint(v, 16)
			if !ok {
				return nil, false, nil
			}
			c.MaxLen = int(n)
		case "id":
			n, ok := parseUint(v, 16)
			if !ok {
				return nil, false, nil
			}
			c.ID = uint16(n)
		case "userdata":
			c.UserData = v
		case "pause":
			c.Pause = true
		case "meter_id":
			n, ok := parseUint(v, 32)
			if !ok {
				return nil, false, nil
			}
			c.MeterID = int64(n)
		default:
			extra = append(extra, kv)
		}
	}
	c.Extra = strings.Join(extra, ",")
	return c, true, nil
}

func parseResubmit(arg string) (Action, bool, error) {
	r := &Resubmit{Table: -1}
	port, rest, hasTable := strings.Cut(arg, ",")
	r.Port = trimSpace(port)
	if strings.EqualFold(r.Port, "in_port") {
		r.Port = ""
	}
	if hasTable {
		table, ct, hasCT := strings.Cut(rest, ",")
		t := trimSpace(table)
		if n, ok := parseUint(t, 8); ok && n != 255 {
			r.Table = int(n)
		} else if t != "" && !ok {
			r.TableName = t
		}
		if hasCT {
			if trimSpace(ct) != "ct" {
				return nil, false, nil
			}
			r.CT = true
		}
	}
	return r, true, nil
}

func parseCT(s, arg string, off int) (Action, bool, error) {
	c := &CT{Table: -1}
	bad := false
	err := splitTop(s, off, off+len(arg), func(a, b int) error {
		item := s[a:b]
		switch {
		case item == "":
		case item == "commit":
			c.Commit = true
		case item == "force":
			c.Force = true
		case strings.HasPrefix(item, "table="):
			n, ok := parseUint(item[6:], 8)
			if !ok {
				bad = true
			}
			c.Table = int(n)
		case strings.HasPrefix(item, "zone="):
			c.Zone = item[5:]
		case strings.HasPrefix(item, "alg="):
			c.Alg = item[4:]
		case strings.HasPrefix(item, "timeout="):
			c.Timeout = item[8:]
		case item == "nat":
			c.NAT = &NAT{}
		case strings.HasPrefix(item, "nat(") && item[len(item)-1] == ')':
			c.NAT = parseNAT(item[4 : len(item)-1])
		case strings.HasPrefix(item, "exec(") && item[len(item)-1] == ')':
			acts, err := parseActions(s, a+5, b-1)
			if err != nil {
				return err
			}
			c.Exec = append(c.Exec, acts...)
		default:
			c.Extra = append(c.Extra, item)
		}
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	return c, !bad, nil
}

func parseNAT(arg string) *NAT {
	n := &NAT{}
	for i, item := range strings.Split(arg, ",") {
		item = trimSpace(item)
		if i == 0 {
			k, v, _ := strings.Cut(item, "=")
			if k == "src" || k == "dst" {
				n.Kind, n.Range = k, v
				continue
			}
		}
		if item != "" {
			n.Flags = append(n.Flags, item)
		}
	}
	return n
}

// lowerName lower-cases an action name (OVS matches them case-insensitively)
// without allocating when it already is lower case. Port names are not
// passed through it.
func lowerName(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			if _, ok := reservedPorts[strings.ToLower(s)]; ok {
				return s
			}
			return strings.ToLower(s)
		}
	}
	return s
}

// isItem reports whether s can stand as one item of an action list: balanced
// and without a top-level comma.
func isItem(s string) bool { return valueEnd(s, 0, false) == len(s) }

// balanced reports whether the parentheses, brackets and quotes of s nest
// the way valueEnd reads them.
func balanced(s string) bool {
	for i := 0; i < len(s); {
		j := valueEnd(s, i, false)
		if j < 0 {
			return false
		}
		i = j + 1
	}
	return true
}
