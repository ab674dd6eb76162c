// SPDX-License-Identifier: Apache-2.0

package ovsdb

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/ovn-kubernetes/libovsdb/model"
	libovsdb "github.com/ovn-kubernetes/libovsdb/ovsdb"

	"github.com/ovsoffload/ovsoffload/internal/ifname"
	vs "github.com/ovsoffload/ovsoffload/ovsdb/internal/vswitchmodel"
)

// NetFlowSpec is a bridge's NetFlow row (Bridge.netflow).
type NetFlowSpec struct {
	// Targets are the collectors, "IP:PORT"; at least one.
	Targets []string
	// ActiveTimeout in seconds; 0 means OVS's default, -1 disables.
	ActiveTimeout int
	// AddIDToInterface adds the engine id to the interface numbers.
	AddIDToInterface bool
	// EngineType and EngineID (0 to 255); nil leaves them unset.
	EngineType, EngineID *int
	ExternalIDs          map[string]string
}

// SFlowSpec is a bridge's sFlow row (Bridge.sflow). Zero numbers and an
// empty Agent leave those columns unset (OVS's defaults).
type SFlowSpec struct {
	// Targets are the collectors, "IP:PORT"; at least one.
	Targets []string
	// Agent is the interface or address whose IP the agent uses.
	Agent                     string
	Sampling, Polling, Header int
	ExternalIDs               map[string]string
}

// IPFIXSpec is a bridge's IPFIX row (Bridge.ipfix). Zero numbers leave
// those columns unset.
type IPFIXSpec struct {
	// Targets are the collectors, "IP:PORT".
	Targets []string
	// Sampling is one packet in Sampling (1 to 2^32-1).
	Sampling                          int
	ObsDomainID, ObsPointID           int
	CacheActiveTimeout, CacheMaxFlows int
	OtherConfig, ExternalIDs          map[string]string
}

func checkTargets(what string, targets []string, atLeastOne bool) error {
	if atLeastOne && len(targets) == 0 {
		return invalid(what+" targets", "", "at least one collector")
	}
	for _, t := range targets {
		if t == "" || len(t) > 256 || strings.ContainsFunc(t, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
			return invalid(what+" targets", t, "want a collector such as 192.0.2.1:6343")
		}
	}
	return nil
}

func strSet(s []string) libovsdb.OvsSet {
	return ovsStrings(slices.Sorted(slices.Values(s)))
}

func optInt(v int) libovsdb.OvsSet { return optional(v, v != 0) }

func intp(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}

func (s NetFlowSpec) row() (libovsdb.Row, error) {
	if err := checkTargets("netflow", s.Targets, true); err != nil {
		return nil, err
	}
	if s.ActiveTimeout < -1 {
		return nil, invalid("netflow active_timeout", fmt.Sprint(s.ActiveTimeout), "want -1 or more")
	}
	for what, p := range map[string]*int{"engine_type": s.EngineType, "engine_id": s.EngineID} {
		if p != nil && (*p < 0 || *p > 255) {
			return nil, invalid("netflow "+what, fmt.Sprint(*p), "want 0 to 255")
		}
	}
	if err := validateKeys("netflow external_ids", s.ExternalIDs); err != nil {
		return nil, err
	}
	r := libovsdb.Row{"targets": strSet(s.Targets), "active_timeout": s.ActiveTimeout,
		"add_id_to_interface": s.AddIDToInterface, "external_ids": ovsMap(s.ExternalIDs)}
	r["engine_type"] = optional(intp(s.EngineType), s.EngineType != nil)
	r["engine_id"] = optional(intp(s.EngineID), s.EngineID != nil)
	return r, nil
}

func (s SFlowSpec) row() (libovsdb.Row, error) {
	if err := checkTargets("sflow", s.Targets, true); err != nil {
		return nil, err
	}
	for what, v := range map[string]int{"sampling": s.Sampling, "polling": s.Polling, "header": s.Header} {
		if v < 0 {
			return nil, invalid("sflow "+what, fmt.Sprint(v), "negative")
		}
	}
	if strings.ContainsFunc(s.Agent, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return nil, invalid("sflow agent", s.Agent, "want an interface name or an address")
	}
	if err := validateKeys("sflow external_ids", s.ExternalIDs); err != nil {
		return nil, err
	}
	return libovsdb.Row{"targets": strSet(s.Targets), "agent": optional(s.Agent, s.Agent != ""),
		"sampling": optInt(s.Sampling), "polling": optInt(s.Polling), "header": optInt(s.Header),
		"external_ids": ovsMap(s.ExternalIDs)}, nil
}

func (s IPFIXSpec) row() (libovsdb.Row, error) {
	if err := checkTargets("ipfix", s.Targets, false); err != nil {
		return nil, err
	}
	for what, v := range map[string]int{"sampling": s.Sampling, "obs_domain_id": s.ObsDomainID, "obs_point_id": s.ObsPointID, "cache_max_flows": s.CacheMaxFlows} {
		if v < 0 || v > 1<<32-1 {
			return nil, invalid("ipfix "+what, fmt.Sprint(v), "want 0 to 4294967295")
		}
	}
	if s.CacheActiveTimeout < 0 || s.CacheActiveTimeout > 4200 {
		return nil, invalid("ipfix cache_active_timeout", fmt.Sprint(s.CacheActiveTimeout), "want 0 to 4200")
	}
	if err := validateKeys("ipfix other_config", s.OtherConfig); err != nil {
		return nil, err
	}
	if err := validateKeys("ipfix external_ids", s.ExternalIDs); err != nil {
		return nil, err
	}
	return libovsdb.Row{"targets": strSet(s.Targets), "sampling": optInt(s.Sampling),
		"obs_domain_id": optInt(s.ObsDomainID), "obs_point_id": optInt(s.ObsPointID),
		"cache_active_timeout": optInt(s.CacheActiveTimeout), "cache_max_flows": optInt(s.CacheMaxFlows),
		"other_config": ovsMap(s.OtherConfig), "external_ids": ovsMap(s.ExternalIDs)}, nil
}

// norm returns the spec as the database would hold it, for comparisons.
func (s NetFlowSpec) norm() NetFlowSpec {
	s.Targets = slices.Sorted(slices.Values(s.Targets))
	s.ExternalIDs = nonNil(maps.Clone(s.ExternalIDs))
	return s
}

func (s SFlowSpec) norm() SFlowSpec {
	s.Targets = slices.Sorted(slices.Values(s.Targets))
	s.ExternalIDs = nonNil(maps.Clone(s.ExternalIDs))
	return s
}

func (s IPFIXSpec) norm() IPFIXSpec {
	s.Targets = slices.Sorted(slices.Values(s.Targets))
	if s.Targets == nil {
		s.Targets = []string{}
	}
	s.OtherConfig = nonNil(maps.Clone(s.OtherConfig))
	s.ExternalIDs = nonNil(maps.Clone(s.ExternalIDs))
	return s
}

func netflowOf(r *vs.NetFlow) NetFlowSpec {
	s := NetFlowSpec{Targets: r.Targets, ActiveTimeout: r.ActiveTimeout, AddIDToInterface: r.AddIDToInterface, ExternalIDs: r.ExternalIDs}
	if r.EngineType != nil {
		v := *r.EngineType
		s.EngineType = &v
	}
	if r.EngineID != nil {
		v := *r.EngineID
		s.EngineID = &v
	}
	return s.norm()
}

func sflowOf(r *vs.SFlow) SFlowSpec {
	return SFlowSpec{Targets: r.Targets, Agent: deref(r.Agent), Sampling: intp(r.Sampling), Polling: intp(r.Polling),
		Header: intp(r.Header), ExternalIDs: r.ExternalIDs}.norm()
}

func ipfixOf(r *vs.IPFIX) IPFIXSpec {
	return IPFIXSpec{Targets: r.Targets, Sampling: intp(r.Sampling), ObsDomainID: intp(r.ObsDomainID), ObsPointID: intp(r.ObsPointID),
		CacheActiveTimeout: intp(r.CacheActiveTimeout), CacheMaxFlows: intp(r.CacheMaxFlows),
		OtherConfig: r.OtherConfig, ExternalIDs: r.ExternalIDs}.norm()
}

// setBridgeRow points the bridge's column (netflow, sflow or ipfix) at a
// new row of table built from row, or at none when row is nil; same
// reports whether the current row already matches. The old row, which no
// other column references, is garbage-collected by the server.
func (t *Txn) setBridgeRow(bridge, column, table string, row libovsdb.Row, ref func(*vs.Bridge) *string, same func(model.Model) bool) *Txn {
	if err := ifname.Validate(bridge); err != nil {
		t.fail(&ValidationError{Field: "bridge name", Value: bridge, Err: err})
		return t
	}
	b := t.c.bridgeByName(bridge)
	if b == nil {
		t.fail(fmt.Errorf("ovsdb: bridge %q: %w", bridge, ErrNotFound))
		return t
	}
	cur := ref(b)
	if row == nil {
		if cur == nil {
			return t
		}
		t.add(libovsdb.Operation{Op: libovsdb.OperationUpdate, Table: vs.BridgeTable, Where: whereUUID(b.UUID),
			Row: libovsdb.Row{column: libovsdb.OvsSet{GoSet: []any{}}}},
			fmt.Sprintf("clear Bridge %q %s", bridge, column),
			expectation{table: vs.BridgeTable, uuid: b.UUID, opIndex: -1, check: func(m model.Model) bool { return ref(m.(*vs.Bridge)) == nil }})
		return t
	}
	if cur != nil {
		if m := t.c.row(table, *cur); m != nil && same(m) {
			return t
		}
	}
	named := t.namedUUID()
	ins := t.add(libovsdb.Operation{Op: libovsdb.OperationInsert, Table: table, UUIDName: named, Row: row},
		fmt.Sprintf("insert %s for Bridge %q", table, bridge), expectation{table: table, opIndex: -1})
	t.add(libovsdb.Operation{Op: libovsdb.OperationUpdate, Table: vs.BridgeTable, Where: whereUUID(b.UUID),
		Row: libovsdb.Row{column: ovsUUIDs(named)}},
		fmt.Sprintf("set Bridge %q %s", bridge, column),
		expectation{table: vs.BridgeTable, uuid: b.UUID, opIndex: -1, refsHave: []int{ins}, refs: func(m model.Model) []string {
			if u := ref(m.(*vs.Bridge)); u != nil {
				return []string{*u}
			}
			return nil
		}})
	return t
}

// samplingSpec is what NetFlowSpec, SFlowSpec and IPFIXSpec share: the
// row they are written as, and their normal form for comparing with a row
// read back.
type samplingSpec[S any] interface {
	row() (libovsdb.Row, error)
	norm() S
}

// setSampling gives the bridge the row of spec (none when spec is nil) in
// its column, unless the bridge's row already equals it (of reads a row
// back as a spec).
func setSampling[S samplingSpec[S], M model.Model](t *Txn, bridge, column, table string, spec *S,
	ref func(*vs.Bridge) *string, of func(M) S) *Txn {
	var row libovsdb.Row
	var want S
	if spec != nil {
		var err error
		if row, err = (*spec).row(); err != nil {
			t.fail(err)
			return t
		}
		want = (*spec).norm()
	}
	return t.setBridgeRow(bridge, column, table, row, ref,
		func(m model.Model) bool { return reflect.DeepEqual(of(m.(M)), want) })
}

// SetBridgeNetFlow gives the bridge the NetFlow s, or none when s is nil.
// Nothing is sent when the bridge already has s.
func (t *Txn) SetBridgeNetFlow(bridge string, s *NetFlowSpec) *Txn {
	return setSampling(t, bridge, "netflow", vs.NetFlowTable, s, func(b *vs.Bridge) *string { return b.Netflow }, netflowOf)
}

// SetBridgeSFlow gives the bridge the sFlow s, or none when s is nil.
// Nothing is sent when the bridge already has s.
func (t *Txn) SetBridgeSFlow(bridge string, s *SFlowSpec) *Txn {
	return setSampling(t, bridge, "sflow", vs.SFlowTable, s, func(b *vs.Bridge) *string { return b.Sflow }, sflowOf)
}

// SetBridgeIPFIX gives the bridge the IPFIX s, or none when s is nil.
// Nothing is sent when the bridge already has s.
func (t *Txn) SetBridgeIPFIX(bridge string, s *IPFIXSpec) *Txn {
	return setSampling(t, bridge, "ipfix", vs.IPFIXTable, s, func(b *vs.Bridge) *string { return b.IPFIX }, ipfixOf)
}

// SetBridgeNetFlow sets or clears a bridge's NetFlow in its own
// transaction. See Txn.SetBridgeNetFlow.
func (c *Client) SetBridgeNetFlow(ctx context.Context, bridge string, s *NetFlowSpec) (bool, error) {
	r, err := c.single(ctx, func(t *Txn) { t.SetBridgeNetFlow(bridge, s) })
	return r.Changed, err
}

// SetBridgeSFlow sets or clears a bridge's sFlow in its own transaction.
// See Txn.SetBridgeSFlow.
func (c *Client) SetBridgeSFlow(ctx context.Context, bridge string, s *SFlowSpec) (bool, error) {
	r, err := c.single(ctx, func(t *Txn) { t.SetBridgeSFlow(bridge, s) })
	return r.Changed, err
}

// SetBridgeIPFIX sets or clears a bridge's IPFIX in its own transaction.
// See Txn.SetBridgeIPFIX.
func (c *Client) SetBridgeIPFIX(ctx context.Context, bridge string, s *IPFIXSpec) (bool, error) {
	r, err := c.single(ctx, func(t *Txn) { t.SetBridgeIPFIX(bridge, s) })
	return r.Changed, err
}

// BridgeSampling returns the bridge's NetFlow, sFlow and IPFIX rows, each
// nil when unset (ErrNotFound when there is no such bridge).
func (c *Client) BridgeSampling(ctx context.Context, bridge string) (*NetFlowSpec, *SFlowSpec, *IPFIXSpec, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, nil, err
	}
	b := c.bridgeByName(bridge)
	if b == nil {
		return nil, nil, nil, fmt.Errorf("ovsdb: bridge %q: %w", bridge, ErrNotFound)
	}
	var nf *NetFlowSpec
	var sf *SFlowSpec
	var ix *IPFIXSpec
	if b.Netflow != nil {
		if m := c.row(vs.NetFlowTable, *b.Netflow); m != nil {
			s := netflowOf(m.(*vs.NetFlow))
			nf = &s
		}
	}
	if b.Sflow != nil {
		if m := c.row(vs.SFlowTable, *b.Sflow); m != nil {
			s := sflowOf(m.(*vs.SFlow))
			sf = &s
		}
	}
	if b.IPFIX != nil {
		if m := c.row(vs.IPFIXTable, *b.IPFIX); m != nil {
			s := ipfixOf(m.(*vs.IPFIX))
			ix = &s
		}
	}
	return nf, sf, ix, nil
}
