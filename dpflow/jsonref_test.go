// SPDX-License-Identifier: Apache-2.0

package dpflow

import "encoding/json"

// The reflection-based JSON encoder that MarshalJSON used before issue 17:
// the reference AppendJSON is held to, byte for byte.

type nodeJSON struct {
	Kind     string     `json:"kind,omitempty"`
	Name     string     `json:"name,omitempty"`
	Type     string     `json:"type,omitempty"`
	Value    any        `json:"value,omitempty"`
	Mask     any        `json:"mask,omitempty"`
	Children []nodeJSON `json:"children,omitempty"`
	Group    string     `json:"group,omitempty"`
	Flags    []flagJSON `json:"flags,omitempty"`
	Opaque   bool       `json:"opaque,omitempty"`
}

type flagJSON struct {
	Name string `json:"name"`
	Set  bool   `json:"set"`
}

func toJSON(n *Node) nodeJSON {
	j := nodeJSON{Kind: n.Kind.String(), Name: n.Name, Opaque: n.Opaque()}
	valued := n.form&formScalar != 0 || n.form&(formParens|formBraces) == 0
	if n.Type != TypeNone && valued {
		j.Type = n.Type.String()
	}
	if valued {
		j.Value = typedValue(n.Value, n.Type, false)
		if n.Value == "" && n.form&formEq == 0 {
			j.Value = nil
		}
		if n.form&formMask != 0 {
			j.Mask = typedValue(n.Mask, n.Type, true)
		}
	}
	if n.Kind == KeyCTState || n.Kind == KeyTCPFlags {
		if fl, err := n.Flags(); err == nil {
			for _, f := range fl {
				j.Flags = append(j.Flags, flagJSON(f))
			}
		}
	}
	switch {
	case n.form&formBraces != 0:
		j.Group = "{}"
	case n.form&formParens != 0 && n.Name == "":
		j.Group = "()"
	}
	if len(n.Children) > 0 {
		j.Children = make([]nodeJSON, len(n.Children))
		for i := range n.Children {
			j.Children[i] = toJSON(&n.Children[i])
			if n.Type != TypeNone && j.Children[i].Type == "" {
				// A scalar key or action: its value has the node's type.
				c := &n.Children[i]
				j.Children[i].Type = n.Type.String()
				j.Children[i].Value = typedValue(c.Value, n.Type, false)
				if c.HasMask() {
					j.Children[i].Mask = typedValue(c.Mask, n.Type, true)
				}
			}
		}
	}
	return j
}

func refNodeJSON(n *Node) ([]byte, error) { return json.Marshal(toJSON(n)) }

type flowJSON struct {
	UFID      string      `json:"ufid,omitempty"`
	InPort    any         `json:"in_port,omitempty"`
	RecircID  *uint32     `json:"recirc_id,omitempty"`
	Match     []nodeJSON  `json:"match"`
	Packets   *uint64     `json:"packets,omitempty"`
	Bytes     *uint64     `json:"bytes,omitempty"`
	Used      string      `json:"used,omitempty"`
	UsedSec   *float64    `json:"used_seconds,omitempty"`
	TCPFlags  string      `json:"tcp_flags,omitempty"`
	Offloaded string      `json:"offloaded,omitempty"`
	DP        string      `json:"dp,omitempty"`
	Actions   []nodeJSON  `json:"actions"`
	ExtraInfo *string     `json:"dp_extra_info,omitempty"`
	Fields    []fieldJSON `json:"fields,omitempty"`
	Text      string      `json:"text"`
}

type fieldJSON struct {
	Name        string `json:"name"`
	Type        string `json:"type"`
	Value       any    `json:"value"`
	BeforeMatch bool   `json:"before_match,omitempty"`
}

func refFlowJSON(f *Flow) ([]byte, error) {
	j := flowJSON{Match: []nodeJSON{}, Actions: []nodeJSON{}, Text: f.String()}
	if f.HasUFID {
		j.UFID = f.UFID.String()
	}
	if p := f.InPort(); p != "" {
		j.InPort = typedValue(p, TypePort, false)
	}
	if r, ok := f.RecircID(); ok {
		j.RecircID = &r
	}
	for i := range f.Match {
		j.Match = append(j.Match, toJSON(&f.Match[i]))
	}
	if f.Stats.Present {
		j.Packets, j.Bytes, j.Used = &f.Stats.Packets, &f.Stats.Bytes, string(f.Stats.Used)
		if d, ok := f.Stats.Used.Ago(); ok {
			s := d.Seconds()
			j.UsedSec = &s
		}
	}
	j.TCPFlags, j.Offloaded, j.DP = f.Stats.TCPFlags, string(f.Stats.Offloaded), f.Stats.DP
	for i := range f.Actions {
		j.Actions = append(j.Actions, toJSON(&f.Actions[i]))
	}
	if f.HasExtraInfo {
		j.ExtraInfo = &f.ExtraInfo
	}
	for _, x := range f.Fields {
		j.Fields = append(j.Fields, fieldJSON{Name: x.Name, Type: x.Type.String(), Value: typedValue(x.Value, x.Type, false), BeforeMatch: x.BeforeMatch})
	}
	return json.Marshal(j)
}
