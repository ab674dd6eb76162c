package offload

import (
	"context"
	"fmt"

	"github.com/ovsoffload/ovsoffload/dpflow"
	"github.com/ovsoffload/ovsoffload/eswitch"
	"github.com/ovsoffload/ovsoffload/ovsdb"
)

// Open_vSwitch other_config keys that belong to one backend only. A backend's
// Configure removes the keys of the others.
var (
	// TCKeys are used only by kernel TC offload.
	TCKeys = []string{ovsdb.KeyTCPolicy}
	// DOCAKeys are used only by OVS-DOCA.
	DOCAKeys = []string{ovsdb.KeyDOCAInit, ovsdb.KeyHWOffloadCTSz, "ctl-pipe-size", "doca-congestion-threshold"}
)

// None is the backend that offloads nothing: hw-offload=false, flows stay in
// OVS. Its datapath type is the one given (system when empty). It exists so
// a node can be switched off offload and verified like the others.
type None struct {
	// Datapath is the bridges' datapath type; empty means system.
	Datapath string
}

func init() {
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

// Configure sets hw-offload=false and removes the TC and DOCA keys.
func (None) Configure(txn *ovsdb.Txn) error {
	off := false
	txn.SetOffload(ovsdb.OffloadSettings{HWOffload: &off})
	txn.SetMap(ovsdb.TableOpenvSwitch, "", "other_config", nil, append(append([]string{}, TCKeys...), DOCAKeys...))
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
