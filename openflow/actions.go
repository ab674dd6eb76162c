// SPDX-License-Identifier: Apache-2.0

package openflow

import (
	"strconv"
	"strings"
)

// Action is one OpenFlow action. The concrete types are the exported structs
// of this file; anything else OVS accepts is an *Opaque action holding its text.
type Action interface {
	// Name is the action's keyword as OVS writes it ("output", "ct", ...).
	Name() string
	// AppendText appends the action's canonical text to b.
	AppendText(b []byte) []byte
}

// Output sends the packet to a port: "output:1", "output:p1" (with --names),
// "output:NXM_NX_REG0[0..15]", "output(port=2,max_len=64)" or a reserved port
// written bare ("LOCAL", "NORMAL", "IN_PORT", "FLOOD", "ALL", "TABLE").
type Output struct {
	Port   string `json:"port"`              // number, name (quoted when needed), reserved port or field
	MaxLen int    `json:"max_len,omitempty"` // 0 when no max_len
}

// Resubmit re-searches a table: "resubmit:PORT", "resubmit(PORT,TABLE)",
// "resubmit(,TABLE,ct)".
type Resubmit struct {
	Port      string `json:"port,omitempty"`       // empty for the packet's in_port
	Table     int    `json:"table"`                // -1 for the current table
	TableName string `json:"table_name,omitempty"` // table name (with --names); Table is -1 then
	CT        bool   `json:"ct,omitempty"`         // resubmit with the conntrack original direction tuple
}

// Conjunction is OVN's "conjunction(ID,CLAUSE/N)".
type Conjunction struct {
	ID       uint32 `json:"id"`
	Clause   uint8  `json:"clause"`
	NClauses uint8  `json:"n_clauses"`
}

// Controller sends the packet to the controller: "CONTROLLER:65535" or
// "controller(reason=...,max_len=...,id=...,userdata=...,pause,meter_id=...)".
type Controller struct {
	MaxLen   int    `json:"max_len"`            // 65535 when not given
	Reason   string `json:"reason,omitempty"`   // "" for the action reason
	ID       uint16 `json:"id,omitempty"`       // controller id
	UserData string `json:"userdata,omitempty"` // hex bytes joined by '.'
	Pause    bool   `json:"pause,omitempty"`    // continuation (OVN pause)
	MeterID  int64  `json:"meter_id,omitempty"` // -1 when none
	Extra    string `json:"extra,omitempty"`    // unknown arguments, kept as written
}

// CT is the connection tracking action "ct(commit,force,table=N,zone=Z,nat(...),exec(...),alg=A,timeout=T)".
type CT struct {
	Commit  bool     `json:"commit,omitempty"`
	Force   bool     `json:"force,omitempty"`
	Table   int      `json:"table"`             // -1 when no table
	Zone    string   `json:"zone,omitempty"`    // number or field ("NXM_NX_REG13[0..15]")
	NAT     *NAT     `json:"nat,omitempty"`     // nat, when present
	Exec    []Action `json:"-"`                 // exec(...) actions
	Alg     string   `json:"alg,omitempty"`     // ftp, tftp, or a number
	Timeout string   `json:"timeout,omitempty"` // timeout policy name
	Extra   []string `json:"extra,omitempty"`   // unknown arguments, kept as written
}

// NAT is the nat argument of ct: "nat", "nat(src=10.0.0.1-10.0.0.9:1000-2000,random)".
type NAT struct {
	Kind  string   `json:"kind,omitempty"`  // "src", "dst" or ""
	Range string   `json:"range,omitempty"` // address[-address][:port[-port]], as written
	Flags []string `json:"flags,omitempty"` // persistent, hash, random
}

// Learn is "learn(...)"; its arguments are kept in order, each split at its
// first '=' or ':'.
type Learn struct {
	Args []LearnArg `json:"args"`
}

// LearnArg is one learn argument: "table=10", "NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[]",
// "load:NXM_NX_REG0[]->NXM_NX_REG1[]", "delete_learned".
type LearnArg struct {
	Key   string `json:"key"`
	Sep   string `json:"sep,omitempty"` // "=", ":" or "" for a bare word
	Value string `json:"value,omitempty"`
}

// Move copies bits between fields: "move:NXM_OF_IN_PORT[]->NXM_NX_REG0[0..15]".
type Move struct {
	Src string `json:"src"`
	Dst string `json:"dst"`
}

// Load writes a constant into field bits: "load:0x1->NXM_NX_REG0[0..15]".
type Load struct {
	Value string `json:"value"`
	Dst   string `json:"dst"`
}

// SetField writes a field: "set_field:10.0.0.1->ip_dst", "set_field:0x1/0x1->reg0".
type SetField struct {
	Value string `json:"value"` // as written, with its "/mask" if any
	Field string `json:"field"`
}

// Push pushes a field on the stack: "push:NXM_NX_REG0[]".
type Push struct {
	Field string `json:"field"`
}

// Pop pops the stack into a field: "pop:NXM_NX_REG0[]".
type Pop struct {
	Field string `json:"field"`
}

// Group sends to a group: "group:1".
type Group struct {
	ID uint32 `json:"id"`
}

// Meter applies a meter: "meter:1".
type Meter struct {
	ID uint32 `json:"id"`
}

// GotoTable is the OpenFlow 1.1+ instruction "goto_table:N".
type GotoTable struct {
	Table string `json:"table"` // number, or name with --names
}

// Note carries opaque bytes: "note:00.01.02".
type Note struct {
	Data string `json:"data"`
}

// Drop is "drop": an empty action list.
type Drop struct{}

// CheckPktLarger is "check_pkt_larger(LEN)->FIELD".
type CheckPktLarger struct {
	Len uint16 `json:"len"`
	Dst string `json:"dst"`
}

// DecTTL decrements the IP TTL; when it reaches zero the packet goes to the
// controllers with the given ids. OVS writes one id 0 as "dec_ttl", no id at
// all (what OVN installs) as "dec_ttl()", and other lists as "dec_ttl(1,2)".
type DecTTL struct {
	IDs []uint16 `json:"ids"`
}

// Mod is a set action written "NAME:VALUE": mod_dl_src, mod_nw_dst, mod_vlan_vid,
// set_tunnel, push_vlan, push_mpls, pop_mpls, set_queue, enqueue, write_metadata, ...
type Mod struct {
	Action string `json:"action"`
	Value  string `json:"value"`
}

// Keyword is an action without arguments: strip_vlan, pop_vlan, ct_clear,
// exit, pop_queue, dec_mpls_ttl, dec_nsh_ttl, clear_actions, ...
type Keyword struct {
	Word string `json:"word"`
}

// Clone runs actions on a copy of the packet: "clone(...)".
type Clone struct {
	Actions []Action `json:"-"`
}

// WriteActions is the OpenFlow 1.1+ instruction "write_actions(...)".
type WriteActions struct {
	Actions []Action `json:"-"`
}

// Opaque is an action the package does not model, kept exactly: Name, the
// separator that followed it ("", ":", "=" or "(") and the argument text (for
// "(" without the closing parenthesis).
type Opaque struct {
	Action string `json:"action"`
	Sep    string `json:"sep,omitempty"`
	Arg    string `json:"arg,omitempty"`
}

// Name implements Action.
func (Output) Name() string { return "output" }

// Name implements Action.
func (Resubmit) Name() string { return "resubmit" }

// Name implements Action.
func (Conjunction) Name() string { return "conjunction" }

// Name implements Action.
func (Controller) Name() string { return "controller" }

// Name implements Action.
func (CT) Name() string { return "ct" }

// Name implements Action.
func (Learn) Name() string { return "learn" }

// Name implements Action.
func (Move) Name() string { return "move" }

// Name implements Action.
func (Load) Name() string { return "load" }

// Name implements Action.
func (SetField) Name() string { return "set_field" }

// Name implements Action.
func (Push) Name() string { return "push" }

// Name implements Action.
func (Pop) Name() string { return "pop" }

// Name implements Action.
func (Group) Name() string { return "group" }

// Name implements Action.
func (Meter) Name() string { return "meter" }

// Name implements Action.
func (GotoTable) Name() string { return "goto_table" }

// Name implements Action.
func (Note) Name() string { return "note" }

// Name implements Action.
func (Drop) Name() string { return "drop" }

// Name implements Action.
func (CheckPktLarger) Name() string { return "check_pkt_larger" }

// Name implements Action.
func (DecTTL) Name() string { return "dec_ttl" }

// Name implements Action.
func (a Mod) Name() string { return a.Action }

// Name implements Action.
func (a Keyword) Name() string { return a.Word }

// Name implements Action.
func (Clone) Name() string { return "clone" }

// Name implements Action.
func (WriteActions) Name() string { return "write_actions" }

// Name implements Action.
func (a Opaque) Name() string { return a.Action }

var reservedPorts = map[string]string{
	"in_port": "IN_PORT", "table": "TABLE", "normal": "NORMAL", "flood": "FLOOD",
	"all": "ALL", "local": "LOCAL", "none": "NONE",
}

// AppendText implements Action.
func (a Output) AppendText(b []byte) []byte {
	if a.MaxLen > 0 {
		b = append(b, "output(port="...)
		b = append(b, a.Port...)
		b = append(b, ",max_len="...)
		b = strconv.AppendInt(b, int64(a.MaxLen), 10)
		return append(b, ')')
	}
	if _, ok := reservedPorts[strings.ToLower(a.Port)]; ok && strings.ToUpper(a.Port) == a.Port {
		return append(b, a.Port...)
	}
	b = append(b, "output:"...)
	return append(b, a.Port...)
}

// AppendText implements Action.
func (a Resubmit) AppendText(b []byte) []byte {
	if a.Port != "" && a.Table < 0 && a.TableName == "" && !a.CT {
		b = append(b, "resubmit:"...)
		return append(b, a.Port...)
	}
	b = append(b, "resubmit("...)
	b = append(b, a.Port...)
	b = append(b, ',')
	if a.TableName != "" {
		b = append(b, a.TableName...)
	} else if a.Table >= 0 {
		b = strconv.AppendInt(b, int64(a.Table), 10)
	}
	if a.CT {
		b = append(b, ",ct"...)
	}
	return append(b, ')')
}

// AppendText implements Action.
func (a Conjunction) AppendText(b []byte) []byte {
	b = append(b, "conjunction("...)
	b = strconv.AppendUint(b, uint64(a.ID), 10)
	b = append(b, ',')
	b = strconv.AppendUint(b, uint64(a.Clause), 10)
	b = append(b, '/')
	b = strconv.AppendUint(b, uint64(a.NClauses), 10)
	return append(b, ')')
}

// AppendText implements Action.
func (a Controller) AppendText(b []byte) []byte {
	if a.Reason == "" && a.ID == 0 && a.UserData == "" && !a.Pause && a.MeterID < 0 && a.Extra == "" {
		b = append(b, "CONTROLLER:"...)
		return strconv.AppendInt(b, int64(a.MaxLen), 10)
	}
	b = append(b, "controller("...)
	n := len(b)
	if a.Reason != "" {
		b = append(b, "reason="...)
		b = append(b, a.Reason...)
		b = append(b, ',')
	}
	if a.MaxLen != 65535 {
		b = append(b, "max_len="...)
		b = strconv.AppendInt(b, int64(a.MaxLen), 10)
		b = append(b, ',')
	}
	if a.ID != 0 {
		b = append(b, "id="...)
		b = strconv.AppendUint(b, uint64(a.ID), 10)
		b = append(b, ',')
	}
	if a.UserData != "" {
		b = append(b, "userdata="...)
		b = append(b, a.UserData...)
		b = append(b, ',')
	}
	if a.Pause {
		b = append(b, "pause,"...)
	}
	if a.MeterID >= 0 {
		b = append(b, "meter_id="...)
		b = strconv.AppendInt(b, a.MeterID, 10)
		b = append(b, ',')
	}
	if a.Extra != "" {
		b = append(b, a.Extra...)
		b = append(b, ',')
	}
	if len(b) > n {
		b = b[:len(b)-1]
	}
	return append(b, ')')
}

// AppendText implements Action.
func (a CT) AppendText(b []byte) []byte {
	b = append(b, "ct("...)
	n := len(b)
	if a.Commit {
		b = append(b, "commit,"...)
	}
	if a.Force {
		b = append(b, "force,"...)
	}
	if a.Table >= 0 {
		b = append(b, "table="...)
		b = strconv.AppendInt(b, int64(a.Table), 10)
		b = append(b, ',')
	}
	if a.Zone != "" {
		b = append(b, "zone="...)
		b = append(b, a.Zone...)
		b = append(b, ',')
	}
	if a.NAT != nil {
		b = a.NAT.AppendText(b)
		b = append(b, ',')
	}
	if len(a.Exec) > 0 {
		b = append(b, "exec("...)
		b = appendActions(b, a.Exec)
		b = append(b, "),"...)
	}
	if a.Alg != "" {
		b = append(b, "alg="...)
		b = append(b, a.Alg...)
		b = append(b, ',')
	}
	if a.Timeout != "" {
		b = append(b, "timeout="...)
		b = append(b, a.Timeout...)
		b = append(b, ',')
	}
	for _, x := range a.Extra {
		b = append(b, x...)
		b = append(b, ',')
	}
	if len(b) > n {
		b = b[:len(b)-1]
	}
	return append(b, ')')
}

// AppendText writes "nat" or "nat(...)".
func (n *NAT) AppendText(b []byte) []byte {
	b = append(b, "nat"...)
	if n.Kind == "" && n.Range == "" && len(n.Flags) == 0 {
		return b
	}
	b = append(b, '(')
	m := len(b)
	if n.Kind != "" {
		b = append(b, n.Kind...)
		if n.Range != "" {
			b = append(b, '=')
			b = append(b, n.Range...)
		}
		b = append(b, ',')
	}
	for _, f := range n.Flags {
		b = append(b, f...)
		b = append(b, ',')
	}
	if len(b) > m {
		b = b[:len(b)-1]
	}
	return append(b, ')')
}

// AppendText implements Action.
func (a Learn) AppendText(b []byte) []byte {
	b = append(b, "learn("...)
	for i, x := range a.Args {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, x.Key...)
		b = append(b, x.Sep...)
		b = append(b, x.Value...)
	}
	return append(b, ')')
}

// AppendText implements Action.
func (a Move) AppendText(b []byte) []byte {
	b = append(b, "move:"...)
	b = append(b, a.Src...)
	b = append(b, "->"...)
	return append(b, a.Dst...)
}

// AppendText implements Action.
func (a Load) AppendText(b []byte) []byte {
	b = append(b, "load:"...)
	b = append(b, a.Value...)
	b = append(b, "->"...)
	return append(b, a.Dst...)
}

// AppendText implements Action.
func (a SetField) AppendText(b []byte) []byte {
	b = append(b, "set_field:"...)
	b = append(b, a.Value...)
	b = append(b, "->"...)
	return append(b, a.Field...)
}

// AppendText implements Action.
func (a Push) AppendText(b []byte) []byte { return append(append(b, "push:"...), a.Field...) }

// AppendText implements Action.
func (a Pop) AppendText(b []byte) []byte { return append(append(b, "pop:"...), a.Field...) }

// AppendText implements Action.
func (a Group) AppendText(b []byte) []byte {
	return strconv.AppendUint(append(b, "group:"...), uint64(a.ID), 10)
}

// AppendText implements Action.
func (a Meter) AppendText(b []byte) []byte {
	return strconv.AppendUint(append(b, "meter:"...), uint64(a.ID), 10)
}

// AppendText implements Action.
func (a GotoTable) AppendText(b []byte) []byte {
	return append(append(b, "goto_table:"...), a.Table...)
}

// AppendText implements Action.
func (a Note) AppendText(b []byte) []byte { return append(append(b, "note:"...), a.Data...) }

// AppendText implements Action.
func (Drop) AppendText(b []byte) []byte { return append(b, "drop"...) }

// AppendText implements Action.
func (a CheckPktLarger) AppendText(b []byte) []byte {
	b = append(b, "check_pkt_larger("...)
	b = strconv.AppendUint(b, uint64(a.Len), 10)
	b = append(b, ")->"...)
	return append(b, a.Dst...)
}

// AppendText implements Action.
func (a DecTTL) AppendText(b []byte) []byte {
	b = append(b, "dec_ttl"...)
	if len(a.IDs) == 1 && a.IDs[0] == 0 {
		return b
	}
	b = append(b, '(')
	for i, id := range a.IDs {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendUint(b, uint64(id), 10)
	}
	return append(b, ')')
}

// AppendText implements Action.
func (a Mod) AppendText(b []byte) []byte {
	b = append(b, a.Action...)
	b = append(b, ':')
	return append(b, a.Value...)
}

// AppendText implements Action.
func (a Keyword) AppendText(b []byte) []byte { return append(b, a.Word...) }

// AppendText implements Action.
func (a Clone) AppendText(b []byte) []byte {
	b = append(b, "clone("...)
	b = appendActions(b, a.Actions)
	return append(b, ')')
}

// AppendText implements Action.
func (a WriteActions) AppendText(b []byte) []byte {
	b = append(b, "write_actions("...)
	b = appendActions(b, a.Actions)
	return append(b, ')')
}

// AppendText implements Action.
func (a Opaque) AppendText(b []byte) []byte {
	b = append(b, a.Action...)
	b = append(b, a.Sep...)
	b = append(b, a.Arg...)
	if a.Sep == "(" {
		b = append(b, ')')
	}
	return b
}

// FormatAction returns the canonical text of one action.
func FormatAction(a Action) string { return string(a.AppendText(nil)) }

func appendActions(b []byte, acts []Action) []byte {
	for i, a := range acts {
		if i > 0 {
			b = append(b, ',')
		}
		b = a.AppendText(b)
	}
	return b
}
