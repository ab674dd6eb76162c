// SPDX-License-Identifier: Apache-2.0

package openflow

import (
	"bytes"
	"encoding/json"
)

// MarshalJSON writes the flow as a typed JSON object: the header fields,
// "match" as a list of fields, "actions" as a list of objects each with a
// "type" member (the action keyword) and the action's own members, and
// "text", the canonical dump-flows line.
func (f *Flow) MarshalJSON() ([]byte, error) {
	type plain Flow
	acts, err := marshalActions(f.Actions)
	if err != nil {
		return nil, err
	}
	return json.Marshal(struct {
		*plain
		Flags   []string          `json:"flags,omitempty"`
		Actions []json.RawMessage `json:"actions"`
		Text    string            `json:"text"`
	}{(*plain)(f), f.Flags.FlagNames(), acts, f.String()})
}

func marshalActions(acts []Action) ([]json.RawMessage, error) {
	out := make([]json.RawMessage, 0, len(acts))
	for _, a := range acts {
		b, err := MarshalActionJSON(a)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}

// MarshalActionJSON returns {"type":KIND, ...members}, where KIND is the Go
// type's action kind ("output", "ct", "opaque", ...). Nested action lists
// (ct exec, clone, write_actions) appear as "actions".
func MarshalActionJSON(a Action) ([]byte, error) {
	body, err := json.Marshal(a)
	if err != nil {
		return nil, err
	}
	var nested []Action
	switch v := a.(type) {
	case *CT:
		nested = v.Exec
	case *Clone:
		nested = v.Actions
	case *WriteActions:
		nested = v.Actions
	}
	var buf bytes.Buffer
	buf.WriteString(`{"type":`)
	kind, _ := json.Marshal(actionKind(a))
	buf.Write(kind)
	if nested != nil {
		n, err := marshalActions(nested)
		if err != nil {
			return nil, err
		}
		nb, _ := json.Marshal(n)
		buf.WriteString(`,"actions":`)
		buf.Write(nb)
	}
	if len(body) > 2 {
		buf.WriteByte(',')
		buf.Write(body[1:])
	} else {
		buf.WriteByte('}')
	}
	return buf.Bytes(), nil
}

func actionKind(a Action) string {
	switch a.(type) {
	case *Opaque:
		return "opaque"
	case *Mod:
		return "mod"
	case *Keyword:
		return "keyword"
	}
	return a.Name()
}
