// SPDX-License-Identifier: Apache-2.0

package offload

import (
	"context"
	"fmt"

	"github.com/ovsoffload/ovsoffload/dpflow"
	"github.com/ovsoffload/ovsoffload/eswitch"
	"github.com/ovsoffload/ovsoffload/ovsdb"
)

// None is the backend that offloads nothing: hw-offload=false, flows stay in
// OVS. Its datapath type is the one given (system when empty). It exists so
// a node can be switched off offload and verified like the others.
type None struct {
	// Datapath is the bridges' datapath type; empty means system.
	Datapath string
}

func init() {
	// none owns no key: it writes only hw-offload (CommonKeys).
	Register("none", func(s map[string]string) (Backend, error) {
		if err := CheckSettings("none", s, "datapath"); err != nil {
			return nil, err
		}
		switch s["datapath"] {
		case "", ovsdb.DatapathSystem, ovsdb.DatapathNetdev:
		default:
			return nil, fmt.Errorf("offload: backend none: datapath %q: want system or netdev", s["datapath"])
		}
		return None{Datapath: s["datapath"]}, nil
	})
}

// Name returns "none".
func (None) Name() string { return "none" }

// DatapathType returns the configured datapath, system by default.
func (n None) DatapathType() string {
	if n.Datapath == "" {
		return ovsdb.DatapathSystem
	}
	return n.Datapath
}

// Configure sets hw-offload=false. Activate removes the other backends'
// keys.
func (None) Configure(txn *ovsdb.Txn) error {
	off := false
	txn.SetOffload(ovsdb.OffloadSettings{HWOffload: &off})
	return nil
}

// Interface plugs representors as system interfaces (explicitly, so a
// port left as type=dpdk by OVS-DOCA is turned back).
func (None) Interface(eswitch.Representor) (InterfaceConfig, error) {
	return InterfaceConfig{Type: "system", RemoveOptions: []string{"dpdk-devargs"}}, nil
}

// Preflight has nothing to check.
func (None) Preflight(context.Context, *Node) ([]Check, error) { return nil, nil }

// Verify reports every flow, all of them in OVS.
func (n None) Verify(ctx context.Context, node *Node) (*Report, error) {
	facts, err := GatherFacts(ctx, node, n.Name())
	if err != nil {
		return nil, err
	}
	return ClassifyEach(func(fn func(*dpflow.Flow) error) error { return node.EachFlow(ctx, fn) }, facts)
}
