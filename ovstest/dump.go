// SPDX-License-Identifier: Apache-2.0

package ovstest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/ovsoffload/ovsoffload/ovsdb"
)

// Dump runs `ovsdb-client dump` against the server and returns the
// Open_vSwitch database by content, one line per row, sorted: each row's
// columns without _uuid and _version, with every UUID reference written as
// the row it names (Table:name, or the referenced row's own content when
// its table has no name column), and without the status columns ovs-vswitchd
// writes (ovsdb.IsStatusColumn: statistics, ofport, link state, ...). Two
// dumps are equal when the configuration is, even if rows were re-created
// with new UUIDs.
func (d *DB) Dump(t TB) string {
	t.Helper()
	out := run(t, nil, "ovsdb-client", "--timeout=30", "-f", "json", "dump", d.Endpoint(), "Open_vSwitch")
	s, err := CanonicalDump([]byte(out))
	if err != nil {
		t.Fatalf("ovstest: Dump: %v", err)
	}
	return s
}

// dumpTable is one table of `ovsdb-client -f json dump`.
type dumpTable struct {
	Caption  string              `json:"caption"`
	Headings []string            `json:"headings"`
	Data     [][]json.RawMessage `json:"data"`
}

type dumpRow struct {
	table string
	cols  map[string]json.RawMessage
}

// CanonicalDump turns the output of `ovsdb-client -f json dump` (one JSON
// object per table) into the canonical text Dump returns.
func CanonicalDump(out []byte) (string, error) {
	dec := json.NewDecoder(bytes.NewReader(out))
	rows := map[string]*dumpRow{}
	var order []*dumpRow
	for dec.More() {
		var dt dumpTable
		if err := dec.Decode(&dt); err != nil {
			return "", fmt.Errorf("ovsdb-client dump output: %w", err)
		}
		table, ok := strings.CutSuffix(dt.Caption, " table")
		if !ok {
			return "", fmt.Errorf("ovsdb-client dump output: caption %q", dt.Caption)
		}
		for _, data := range dt.Data {
			if len(data) != len(dt.Headings) {
				return "", fmt.Errorf("ovsdb-client dump output: %s: %d values for %d headings", table, len(data), len(dt.Headings))
			}
			r := &dumpRow{table: table, cols: map[string]json.RawMessage{}}
			for i, h := range dt.Headings {
				r.cols[h] = data[i]
			}
			var u []string
			if err := json.Unmarshal(r.cols["_uuid"], &u); err != nil || len(u) != 2 {
				return "", fmt.Errorf("ovsdb-client dump output: %s row without _uuid", table)
			}
			rows[u[1]] = r
			order = append(order, r)
		}
	}
	c := &canon{rows: rows, labels: map[string]string{}}
	var lines []string
	for _, r := range order {
		lines = append(lines, r.table+" "+c.content(r, 0))
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n"), nil
}

type canon struct {
	rows   map[string]*dumpRow
	labels map[string]string
}

// label names the row with uuid for a reference to it.
func (c *canon) label(uuid string, depth int) string {
	if l, ok := c.labels[uuid]; ok {
		return l
	}
	r := c.rows[uuid]
	if r == nil {
		return "dangling:" + uuid
	}
	var name string
	if raw, ok := r.cols["name"]; ok && json.Unmarshal(raw, &name) == nil && name != "" {
		c.labels[uuid] = r.table + ":" + name
		return c.labels[uuid]
	}
	if depth > 8 {
		return r.table + ":" + uuid
	}
	l := r.table + c.content(r, depth+1)
	c.labels[uuid] = l
	return l
}

// content renders a row's configuration columns.
func (c *canon) content(r *dumpRow, depth int) string {
	cols := make([]string, 0, len(r.cols))
	for col := range r.cols {
		if !ovsdb.IsStatusColumn(r.table, col) {
			cols = append(cols, col)
		}
	}
	slices.Sort(cols)
	parts := make([]string, len(cols))
	for i, col := range cols {
		parts[i] = col + "=" + c.value(r.cols[col], depth)
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// value renders an OVSDB JSON value: sets sorted, maps sorted by key, UUIDs
// as labels.
func (c *canon) value(raw json.RawMessage, depth int) string {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return string(raw)
	}
	return c.render(v, depth)
}

func (c *canon) render(v any, depth int) string {
	a, ok := v.([]any)
	if !ok || len(a) != 2 {
		b, _ := json.Marshal(v)
		return string(b)
	}
	tag, _ := a[0].(string)
	switch tag {
	case "uuid":
		u, _ := a[1].(string)
		return "<" + c.label(u, depth) + ">"
	case "set":
		es, _ := a[1].([]any)
		out := make([]string, len(es))
		for i, e := range es {
			out[i] = c.render(e, depth)
		}
		slices.Sort(out)
		return "[" + strings.Join(out, " ") + "]"
	case "map":
		es, _ := a[1].([]any)
		out := make([]string, 0, len(es))
		for _, e := range es {
			kv, _ := e.([]any)
			if len(kv) == 2 {
				out = append(out, c.render(kv[0], depth)+"="+c.render(kv[1], depth))
			}
		}
		slices.Sort(out)
		return "{" + strings.Join(out, " ") + "}"
	}
	b, _ := json.Marshal(v)
	return string(b)
}
