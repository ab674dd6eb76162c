// SPDX-License-Identifier: Apache-2.0

package offload

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode"

	"github.com/ovsoffload/ovsoffload"
	"github.com/ovsoffload/ovsoffload/dpflow"
	"github.com/ovsoffload/ovsoffload/eswitch"
	"github.com/ovsoffload/ovsoffload/ovsdb"
	"github.com/ovsoffload/ovsoffload/ovslog"
)

// Sentinel errors of the package, matched with errors.Is. Each is the
// module's shared value (ovsoffload.ErrNotFound, ...), the same in every
// package.
var (
	// ErrNotFound: no backend is registered under the name. The shared
	// ovsoffload.ErrNotFound.
	ErrNotFound = ovsoffload.ErrNotFound
	// ErrNotSupported: the backend cannot run on this node or build. The
	// shared ovsoffload.ErrNotSupported.
	ErrNotSupported = ovsoffload.ErrNotSupported
)

// Backend is one method of offloading OVS datapath flows to the NIC: kernel
// TC flower (package tc) or OVS-DOCA (package doca). A controller picks one
// by name from its configuration (New) and switches a node from one to the
// other with Activate.
type Backend interface {
	// Name is the name the backend is registered under ("tc", "doca",
	// "none").
	Name() string
	// DatapathType is the datapath_type of the bridges whose flows the
	// backend offloads: "system" (kernel) or "netdev" (userspace).
	DatapathType() string
	// Configure adds to txn the Open_vSwitch other_config the backend needs.
	// It writes and removes only the keys the backend declared when it
	// registered (see Register) and CommonKeys; the keys of the other
	// backends are removed by Activate (and Configure, the function), so a
	// switch leaves nothing stale. The committed Result's RestartNeeded says
	// whether ovs-vswitchd must restart for the settings to take effect.
	Configure(txn *ovsdb.Txn) error
	// Interface returns how a representor is plugged into OVS under this
	// backend: the interface type and options.
	Interface(rep eswitch.Representor) (InterfaceConfig, error)
	// Preflight checks the node and returns one Check per condition.
	Preflight(ctx context.Context, node *Node) ([]Check, error)
	// Verify reads the node's datapath flows and the backend's own layer
	// and says, flow by flow and port by port, what is in hardware.
	Verify(ctx context.Context, node *Node) (*Report, error)
}

// InterfaceConfig is how a representor's OVS interface is configured.
type InterfaceConfig struct {
	// Type is the interface type ("" means system).
	Type string
	// Options are the interface options to set (such as dpdk-devargs).
	Options map[string]string
	// RemoveOptions are options another backend may have set that must go.
	RemoveOptions []string
}

// Node gives a backend access to the node it works on.
type Node struct {
	// DB is the node's Open_vSwitch database.
	DB *ovsdb.Client
	// Eswitch reads the NIC's embedded switch; nil where there is none
	// (checks that need it are skipped and say so).
	Eswitch *eswitch.Client
	// Target is ovs-vswitchd's control socket, or a daemon name, as for
	// ovs-appctl -t (appctl.FindSocket); empty means ovs-vswitchd.
	Target string
	// Dump, when set, replaces running dpctl/dump-flows -m --names (for
	// dumps read from a file, and tests).
	Dump func(ctx context.Context) ([]*dpflow.Flow, error)
	// Log is what was read from ovs-vswitchd's log (ovslog.ReadFile, after
	// a debug window for the most), nil when it was not read. Verify uses
	// its offload failures as evidence for flows and ports.
	Log *ovslog.Log
	// Scan, when set (and Dump is not), streams the flows of a saved dump
	// to yield one at a time, reading the dump again at each call, and
	// returns yield's first error. The *Flow passed to yield is valid only
	// during the call (a dpflow.Scanner's reused Flow). Verify then holds
	// one flow at a time instead of the whole dump (see EachFlow).
	Scan func(ctx context.Context, yield func(*dpflow.Flow) error) error
	// DumpType says which flows a saved dump taken without -m lists: the
	// type= argument of its dpctl/dump-flows (DumpTypeOffloaded,
	// DumpTypeOVS), or "" when not known. Without -m a dump prints neither
	// offloaded: nor dp:, so its flows are Unverified unless this says.
	DumpType string
}

// DumpFlows returns the node's datapath flows: from Dump when set, from Scan
// (each flow cloned) when set, otherwise by asking Target for
// dpctl/dump-flows -m --names over its control socket (no process).
func (n *Node) DumpFlows(ctx context.Context) ([]*dpflow.Flow, error) {
	switch {
	case n.Dump != nil:
		return n.Dump(ctx)
	case n.Scan != nil:
		var flows []*dpflow.Flow
		err := n.Scan(ctx, func(f *dpflow.Flow) error {
			flows = append(flows, f.Clone())
			return nil
		})
		if err != nil {
			return nil, err
		}
		return flows, nil
	}
	return dpflow.Dump(ctx, dpflow.DumpOptions{Target: n.Target, Verbose: true, Names: true})
}

// Streams reports whether EachFlow streams the flows (Scan is set and Dump
// is not), so that a backend needing two passes over them can take them
// without holding the dump.
func (n *Node) Streams() bool { return n.Dump == nil && n.Scan != nil }

// EachFlow calls fn with each datapath flow of the node, in dump order, and
// returns fn's first error. fn's *Flow is valid only during the call. With
// Scan set (and Dump not), the flows are streamed and memory stays bounded
// by one flow; with Dump set they come from Dump; otherwise from
// dpctl/dump-flows -m --names asked over Target's control socket, parsed
// as it arrives (dpflow.DumpEach), also one flow at a time.
func (n *Node) EachFlow(ctx context.Context, fn func(*dpflow.Flow) error) error {
	switch {
	case n.Streams():
		return n.Scan(ctx, fn)
	case n.Dump != nil:
		flows, err := n.Dump(ctx)
		if err != nil {
			return err
		}
		for _, f := range flows {
			if err := fn(f); err != nil {
				return err
			}
		}
		return nil
	}
	return dpflow.DumpEach(ctx, dpflow.DumpOptions{Target: n.Target, Verbose: true, Names: true}, fn)
}

// CheckStatus is the outcome of one preflight check.
type CheckStatus string

// Check outcomes.
const (
	CheckPass CheckStatus = "pass"
	CheckWarn CheckStatus = "warn" // works, but not as intended (e.g. a restart is pending)
	CheckFail CheckStatus = "fail" // offload cannot work until fixed
	CheckSkip CheckStatus = "skip" // could not be checked here (Detail says why)
)

// Check is one preflight condition and its outcome.
type Check struct {
	// Name is short and stable, for example "eswitch-mode".
	Name string `json:"name"`
	// Status is the outcome.
	Status CheckStatus `json:"status"`
	// Detail says what was found.
	Detail string `json:"detail,omitempty"`
	// Fix says what to do when the check fails.
	Fix string `json:"fix,omitempty"`
}

// Failed returns the checks that failed.
func Failed(checks []Check) []Check {
	var out []Check
	for _, c := range checks {
		if c.Status == CheckFail {
			out = append(out, c)
		}
	}
	return out
}

// Factory builds a backend from string settings, as a controller reads them
// from its configuration. Unknown keys are an error.
type Factory func(settings map[string]string) (Backend, error)

// CommonKeys are the Open_vSwitch other_config keys every backend writes
// (hw-offload: true for the offloading ones, false for none). No backend
// owns them, and Activate never removes them.
var CommonKeys = []string{ovsdb.KeyHWOffload}

type registration struct {
	factory Factory
	keys    []string // sorted
}

var registry = struct {
	sync.RWMutex
	m map[string]registration
}{m: map[string]registration{}}

// Register makes a backend available under name, the name its Name method
// returns. keys are the Open_vSwitch other_config keys the backend owns:
// every key its Configure may write or remove, besides CommonKeys. Several
// backends may own the same key. This is the one place a backend's keys are
// declared: Activate removes the keys of every other registered backend
// that this one does not own.
//
// Register panics when the name is taken or a key is empty, has a control
// character or is one of CommonKeys, as these are programming errors.
func Register(name string, f Factory, keys ...string) {
	registry.Lock()
	defer registry.Unlock()
	if _, dup := registry.m[name]; dup {
		panic("offload: backend " + name + " registered twice")
	}
	for _, k := range keys {
		if k == "" || strings.IndexFunc(k, unicode.IsControl) >= 0 || slices.Contains(CommonKeys, k) {
			panic(fmt.Sprintf("offload: backend %s: invalid key %q", name, k))
		}
	}
	keys = slices.Clone(keys)
	slices.Sort(keys)
	registry.m[name] = registration{factory: f, keys: slices.Compact(keys)}
}

// Keys returns the other_config keys the backend registered under name
// owns (see Register), sorted, or an error matching ErrNotFound.
func Keys(name string) ([]string, error) {
	registry.RLock()
	defer registry.RUnlock()
	r, ok := registry.m[name]
	if !ok {
		return nil, fmt.Errorf("%w: no offload backend %q (registered: %v)", ErrNotFound, name, namesLocked())
	}
	return slices.Clone(r.keys), nil
}

// staleKeys returns the keys other registered backends own and the backend
// registered under name does not, sorted.
func staleKeys(name string) ([]string, error) {
	registry.RLock()
	defer registry.RUnlock()
	own, ok := registry.m[name]
	if !ok {
		return nil, fmt.Errorf("%w: backend %q is not registered, so the other backends' keys cannot be told from its own (see Register; registered: %v)",
			ErrNotFound, name, namesLocked())
	}
	var stale []string
	for other, r := range registry.m {
		if other == name {
			continue
		}
		for _, k := range r.keys {
			if !slices.Contains(own.keys, k) {
				stale = append(stale, k)
			}
		}
	}
	slices.Sort(stale)
	return slices.Compact(stale), nil
}

// New builds the backend registered under name. Backends register when
// their package is imported (import _ ".../tc" or ".../doca").
func New(name string, settings map[string]string) (Backend, error) {
	registry.RLock()
	r, ok := registry.m[name]
	registry.RUnlock()
	if !ok {
		return nil, fmt.Errorf("%w: no offload backend %q (registered: %v)", ErrNotFound, name, Names())
	}
	return r.factory(settings)
}

// Names lists the registered backends, sorted.
func Names() []string {
	registry.RLock()
	defer registry.RUnlock()
	return namesLocked()
}

func namesLocked() []string { return slices.Sorted(maps.Keys(registry.m)) }

// CheckSettings fails when settings has a key outside known, naming it.
// Backends' factories use it so a typo is not silently ignored.
func CheckSettings(backend string, settings map[string]string, known ...string) error {
	var unknown []string
	for k := range settings {
		if !slices.Contains(known, k) {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return fmt.Errorf("offload: backend %s: unknown settings %v (known: %v)", backend, unknown, known)
	}
	return nil
}

// Configure adds backend b's settings to txn as Activate writes them: it
// removes the other_config keys of every other registered backend that b
// does not own, then adds what b.Configure writes. A controller that builds
// its own transaction calls this rather than b.Configure, so no key of the
// backend it switches away from survives. A backend that is not registered
// is an error matching ErrNotFound: its keys are unknown.
func Configure(txn *ovsdb.Txn, b Backend) error {
	stale, err := staleKeys(b.Name())
	if err != nil {
		return err
	}
	if len(stale) > 0 {
		txn.SetMap(ovsdb.TableOpenvSwitch, "", "other_config", nil, stale)
	}
	return b.Configure(txn)
}

// Activate switches the node to backend b in one atomic transaction: it
// removes the keys every other registered backend owns (see Register),
// writes b's settings and sets the datapath_type of each named bridge to the
// one b needs. Nothing is changed when the node is already in that state.
// The Result says whether ovs-vswitchd must restart.
//
// Only registered backends' keys are known: a program that may switch a
// node from a backend imports that backend's package.
func Activate(ctx context.Context, db *ovsdb.Client, b Backend, bridges ...string) (ovsdb.Result, error) {
	txn := db.Txn()
	if err := Configure(txn, b); err != nil {
		return ovsdb.Result{}, fmt.Errorf("offload: configuring backend %s: %w", b.Name(), err)
	}
	for _, br := range bridges {
		txn.RequireBridge(br)
		txn.EnsureBridge(ovsdb.BridgeSpec{Name: br, DatapathType: b.DatapathType()})
	}
	return txn.Commit(ctx)
}
