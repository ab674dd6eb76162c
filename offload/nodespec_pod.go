// SPDX-License-Identifier: Apache-2.0

package offload

import (
	"context"
	"errors"
	"fmt"
	"net"

	"github.com/ovsoffload/ovsoffload/eswitch"
	"github.com/ovsoffload/ovsoffload/internal/ifname"
	"github.com/ovsoffload/ovsoffload/internal/textsafe"
	"github.com/ovsoffload/ovsoffload/ovsdb"
)

// External_ids keys ovn-controller writes on an interface once its flows
// are installed.
const (
	keyOVNInstalled   = "ovn-installed"
	keyOVNInstalledTS = "ovn-installed-ts"
)

// PodPort is one pod's network attachment on the DPU: who the pod is, and
// which representor carries its VF.
type PodPort struct {
	// Backend decides the interface type and options of the port. Required
	// by PlugPod; UnplugPod does not use it.
	Backend Backend
	// Bridge is the integration bridge; empty means br-int.
	Bridge string
	// IfaceID is the OVN logical switch port (external_ids:iface-id).
	// Required.
	IfaceID string
	// PodUID becomes external_ids:iface-id-ver, so ovn-controller does not
	// bind a port left over from an earlier pod of the same name.
	PodUID string
	// PodName and PodNamespace name the pod (external_ids pod-name,
	// pod-namespace), for reports.
	PodName      string
	PodNamespace string
	// Sandbox is the pod sandbox (container) ID (external_ids:sandbox),
	// optional. UnplugPod with a Sandbox deletes the port only while it
	// still belongs to that sandbox, so a late unplug of an old sandbox
	// cannot remove the port of the pod's next sandbox.
	Sandbox string
	// MAC is the pod interface's MAC address (external_ids:attached_mac).
	MAC net.HardwareAddr
	// ExternalIDs are further interface external_ids written with the
	// binding, such as OVN-Kubernetes' "ip_addresses", "vf-netdev-name",
	// "k8s.ovn.org/network", "k8s.ovn.org/nad", "encap-ip" and
	// "pod-if-name". They may not set a key PlugPod writes from the fields
	// above (iface-id, iface-id-ver, attached_mac, sandbox, pod-name,
	// pod-namespace) nor ovn-controller's ovn-installed.
	ExternalIDs map[string]string
	// Transient sets the port's other_config:transient=true: ovs-ctl
	// deletes the port when OVS restarts, as for OVN-Kubernetes' pod ports.
	Transient bool
	// LinkUp brings the representor up before it is plugged, and MTU, when
	// > 0, sets its MTU first (MTU > 0 implies LinkUp): what OVN-Kubernetes'
	// ConfigureOVS does. Both need node.Eswitch, whose network namespace
	// holds the representor.
	LinkUp bool
	MTU    int
	// TakeOver lets PlugPod rebind a representor whose port is bound to
	// another pod (another iface-id). Without it such a port is left alone
	// and PlugPod returns a *PortConflictError (ErrConflict).
	TakeOver bool
	// VF names the pod's VF by identity; its representor is found in the
	// eswitch inventory (node.Eswitch is then required). Set either VF or
	// Representor.
	VF *VFRef
	// Representor is the representor's netdev name, for ports that are no
	// VF (or a node without eswitch, such as an emulated one).
	Representor string
	// NoWait returns as soon as the port is in OVS, without waiting for
	// ovn-controller's ovn-installed (a node without OVN).
	NoWait bool
}

// PlugResult says what PlugPod did.
type PlugResult struct {
	// Name is the port's (and the representor's) name.
	Name string
	// Created is true when PlugPod created the port, false when it existed
	// (and was brought to the pod's binding).
	Created bool
	// TookOver is the iface-id the port was bound to before PlugPod rebound
	// it to this pod (PodPort.TakeOver), empty otherwise.
	TookOver string
	// RemovedStale lists the other ports bound to the same iface-id that
	// PlugPod deleted (the pod moved to another VF), sorted.
	RemovedStale []string
}

// PortConflictError reports a pod port that is bound to another pod, or no
// longer to the sandbox or pod UID the caller names. Nothing was changed.
// It matches ErrConflict and ovsdb.ErrConflict.
type PortConflictError struct {
	Port    string // the port (representor) name
	IfaceID string // the pod's iface-id, as the caller gave it
	Key     string // the external_ids key that differs: "iface-id", "sandbox" or "iface-id-ver"
	Want    string // the caller's value
	Have    string // the port's value
}

// Error names the port, the pod and what it is bound to.
func (e *PortConflictError) Error() string {
	return fmt.Sprintf("offload: pod %q: port %s has external_ids:%s=%q, not %q", e.IfaceID, e.Port, e.Key, e.Have, e.Want)
}

// Is makes a PortConflictError match ErrConflict (the shared value, which
// ovsdb.ErrConflict is too).
func (e *PortConflictError) Is(target error) bool {
	return target == ErrConflict
}

// podKeys are the interface external_ids PlugPod writes itself.
var podKeys = []string{"iface-id", "iface-id-ver", "attached_mac", "sandbox", "pod-name", "pod-namespace",
	keyOVNInstalled, keyOVNInstalledTS}

// VFRef names a VF by what it is: its PF and VF numbers, and the
// controller it belongs to.
type VFRef struct {
	// Controller is whose VF it is: eswitch.Host for a host VF seen from a
	// BlueField in DPU mode (c1pf0vf7), eswitch.Local (the zero value) for
	// a VF of the same machine (SmartNIC).
	Controller eswitch.Controller
	PF         uint16
	VF         uint16
}

func (p PodPort) validate(plug bool) error {
	if plug && p.Backend == nil {
		return invalidf("pod %q: no offload backend", p.IfaceID)
	}
	if p.IfaceID == "" {
		return invalidf("pod port without iface-id")
	}
	if (p.VF == nil) == (p.Representor == "") {
		return invalidf("pod %q: set exactly one of VF and Representor", p.IfaceID)
	}
	if p.Representor != "" {
		if err := ifname.Validate(p.Representor); err != nil {
			return invalidf("pod %q: representor %q: %v", p.IfaceID, p.Representor, err)
		}
	}
	if p.Bridge != "" {
		if err := ifname.Validate(p.Bridge); err != nil {
			return invalidf("pod %q: bridge %q: %v", p.IfaceID, p.Bridge, err)
		}
	}
	for _, k := range podKeys {
		if _, ok := p.ExternalIDs[k]; ok {
			return invalidf("pod %q: ExternalIDs sets %q, which PlugPod writes itself", p.IfaceID, k)
		}
	}
	for k, v := range p.ExternalIDs {
		if k == "" {
			return invalidf("pod %q: ExternalIDs has an empty key", p.IfaceID)
		}
		if off, what := textsafe.Check(k); off >= 0 {
			return invalidf("pod %q: external_ids key %q: %s at byte %d", p.IfaceID, k, what, off)
		}
		if off, what := textsafe.Check(v); off >= 0 {
			return invalidf("pod %q: external_ids:%s=%q: %s at byte %d", p.IfaceID, k, v, what, off)
		}
	}
	if p.MTU < 0 || p.MTU > 65535 {
		return invalidf("pod %q: MTU %d out of range 1..65535", p.IfaceID, p.MTU)
	}
	return nil
}

func (p PodPort) bridge() string { return orDefault(p.Bridge, DefaultIntegrationBridge) }

// representor finds the pod's representor: by identity for a VF, by name
// otherwise (a name that is no switch port stands for itself).
func (p PodPort) representor(ctx context.Context, node *Node) (eswitch.Representor, error) {
	if p.VF == nil && node.Eswitch == nil {
		return eswitch.Representor{Name: p.Representor}, nil
	}
	if node.Eswitch == nil {
		return eswitch.Representor{}, invalidf("pod %q: finding VF %d of PF %d needs node.Eswitch", p.IfaceID, p.VF.VF, p.VF.PF)
	}
	inv, err := node.Eswitch.Discover(ctx)
	if err != nil {
		return eswitch.Representor{}, fmt.Errorf("offload: pod %q: discovering representors: %w", p.IfaceID, err)
	}
	if p.VF == nil {
		return representorByName(inv, p.Representor)
	}
	rep, err := inv.VF(p.VF.Controller, p.VF.PF, p.VF.VF)
	if err != nil {
		return eswitch.Representor{}, fmt.Errorf("offload: pod %q: %w", p.IfaceID, err)
	}
	if rep.Name == "" {
		return eswitch.Representor{}, fmt.Errorf("offload: pod %q: representor %s has no netdev here: %w",
			p.IfaceID, rep.Identity.PortName(), eswitch.ErrNotFound)
	}
	return rep, nil
}

// PlugPod plugs the pod's representor into the integration bridge with a
// CNI's semantics, in one OVSDB transaction: the interface type and options
// of the backend, the external_ids OVN binds the logical port by
// (ovsdb.PodAttachment) and PodPort.ExternalIDs, and the deletion of every
// other port bound to the same iface-id (the pod moved to another VF; OVN
// would otherwise see two ports for one logical port). It then waits, within
// ctx, for ovn-controller to report ovn-installed, and fails at once with an
// *ovsdb.InterfaceError when ovs-vswitchd writes an error for the interface
// instead (a missing representor).
//
// Plugging the same pod again changes nothing. A port bound to the same
// iface-id with another pod UID is rebound, and its stale ovn-installed is
// dropped so the wait is for the new binding. A port bound to another
// iface-id is refused with a *PortConflictError (ErrConflict) unless
// pod.TakeOver is set; the check is repeated by the server inside the
// transaction, so a concurrent writer cannot slip in between. With
// pod.LinkUp or pod.MTU, the representor is brought up (with that MTU)
// just before the transaction; a failed transaction leaves it up.
//
// When the wait fails, a port PlugPod created is deleted again (ports of
// the same iface-id it removed as stale stay removed).
func PlugPod(ctx context.Context, node *Node, pod PodPort) (PlugResult, error) {
	if node == nil || node.DB == nil {
		return PlugResult{}, invalidf("node has no database client")
	}
	if err := pod.validate(true); err != nil {
		return PlugResult{}, err
	}
	linkUp := pod.LinkUp || pod.MTU > 0
	if linkUp && node.Eswitch == nil {
		return PlugResult{}, invalidf("pod %q: bringing the representor up (LinkUp, MTU) needs node.Eswitch", pod.IfaceID)
	}
	rep, err := pod.representor(ctx, node)
	if err != nil {
		return PlugResult{}, err
	}
	res := PlugResult{Name: rep.Name}
	cfg, err := pod.Backend.Interface(rep)
	if err != nil {
		return res, fmt.Errorf("offload: pod %q: port %s under backend %s: %w", pod.IfaceID, rep.Name, pod.Backend.Name(), err)
	}
	att := ovsdb.PodAttachment{IfaceID: pod.IfaceID, IfaceIDVer: pod.PodUID, MAC: pod.MAC, Sandbox: pod.Sandbox,
		PodName: pod.PodName, PodNamespace: pod.PodNamespace}
	ids := att.ExternalIDs()
	for k, v := range pod.ExternalIDs {
		ids[k] = v
	}
	spec := ovsdb.PortSpec{Bridge: pod.bridge(), Name: rep.Name, Type: interfaceType(cfg.Type), Options: cfg.Options,
		RemoveOptions: cfg.RemoveOptions, ExternalIDs: ids, Transient: pod.Transient}
	txn := node.DB.Txn()
	cur, err := node.DB.Port(ctx, rep.Name)
	res.Created = errors.Is(err, ovsdb.ErrNotFound)
	switch {
	case res.Created:
		txn.RequirePortAbsent(rep.Name)
	case err != nil:
		return res, fmt.Errorf("offload: pod %q: reading port %s: %w", pod.IfaceID, rep.Name, err)
	default:
		had := cur.ExternalIDs["iface-id"]
		if had != "" && had != pod.IfaceID {
			if !pod.TakeOver {
				return res, &PortConflictError{Port: rep.Name, IfaceID: pod.IfaceID, Key: "iface-id", Want: pod.IfaceID, Have: had}
			}
			res.TookOver = had
		}
		if had != "" {
			txn.RequireInterfaceExternalIDs(rep.Name, map[string]string{"iface-id": had})
		}
		if had != pod.IfaceID || cur.ExternalIDs["iface-id-ver"] != pod.PodUID {
			spec.RemoveExternalIDs = []string{keyOVNInstalled, keyOVNInstalledTS}
			if pod.PodUID == "" {
				spec.RemoveExternalIDs = append(spec.RemoveExternalIDs, "iface-id-ver")
			}
		}
	}
	stale, err := node.DB.InterfacesByExternalID(ctx, "iface-id", pod.IfaceID)
	if err != nil {
		return res, fmt.Errorf("offload: pod %q: finding its stale ports: %w", pod.IfaceID, err)
	}
	for _, name := range stale {
		if name == rep.Name {
			continue
		}
		if _, err := node.DB.Port(ctx, name); err != nil {
			// An interface of a port with another name (a bond): deleting
			// a port by the interface's name would not remove it.
			return res, fmt.Errorf("offload: pod %q: stale interface %s is bound to it but is no port of that name (%v); remove it by hand: %w",
				pod.IfaceID, name, err, conflict{ovsdb.ErrConflict})
		}
		txn.RequireInterfaceExternalIDs(name, map[string]string{"iface-id": pod.IfaceID})
		txn.DeletePort(name)
		res.RemovedStale = append(res.RemovedStale, name)
	}
	if linkUp {
		if err := node.Eswitch.SetLinkUp(ctx, rep.Name, pod.MTU); err != nil {
			return res, fmt.Errorf("offload: pod %q: bringing representor %s up: %w", pod.IfaceID, rep.Name, err)
		}
	}
	txn.EnsurePort(spec)
	if _, err := txn.Commit(ctx); err != nil {
		res.RemovedStale = nil
		err = fmt.Errorf("offload: pod %q: plugging %s into %s: %w", pod.IfaceID, rep.Name, spec.Bridge, err)
		if errors.Is(err, ovsdb.ErrConflict) {
			err = conflict{err}
		}
		return res, err
	}
	if pod.NoWait {
		return res, nil
	}
	if err := node.DB.WaitOVNInstalled(ctx, rep.Name); err != nil {
		err = fmt.Errorf("offload: pod %q: port %s: %w", pod.IfaceID, rep.Name, err)
		if res.Created {
			uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), UndoTimeout)
			defer cancel()
			if _, derr := node.DB.DeletePort(uctx, rep.Name); derr != nil {
				err = errors.Join(err, fmt.Errorf("offload: removing %s again: %w", rep.Name, derr))
			}
		}
		return res, err
	}
	return res, nil
}

// conflict makes an ovsdb.ErrConflict from a guarded transaction match
// ErrConflict too.
type conflict struct{ error }

func (c conflict) Unwrap() error { return c.error }

func (c conflict) Is(target error) bool { return target == ErrConflict }

// UnplugPod deletes the pod's port from OVS and reports whether it was
// there. It needs no Backend. The port is deleted only while it is bound to
// pod.IfaceID and, when set, to pod.Sandbox (external_ids:sandbox) and
// pod.PodUID (external_ids:iface-id-ver, when the port has one); otherwise
// it is left alone and a *PortConflictError (ErrConflict) says why: the
// representor serves another pod, or the pod's next sandbox. The server
// checks the same in the deleting transaction.
func UnplugPod(ctx context.Context, node *Node, pod PodPort) (bool, error) {
	if node == nil || node.DB == nil {
		return false, invalidf("node has no database client")
	}
	if err := pod.validate(false); err != nil {
		return false, err
	}
	rep, err := pod.representor(ctx, node)
	if err != nil {
		return false, err
	}
	cur, err := node.DB.Port(ctx, rep.Name)
	if errors.Is(err, ovsdb.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("offload: pod %q: reading port %s: %w", pod.IfaceID, rep.Name, err)
	}
	guard := map[string]string{"iface-id": pod.IfaceID}
	if pod.Sandbox != "" {
		guard["sandbox"] = pod.Sandbox
	}
	if have := cur.ExternalIDs["iface-id-ver"]; pod.PodUID != "" && have != "" {
		guard["iface-id-ver"] = pod.PodUID
	}
	for _, k := range []string{"iface-id", "sandbox", "iface-id-ver"} {
		if want, ok := guard[k]; ok && cur.ExternalIDs[k] != want {
			return false, &PortConflictError{Port: rep.Name, IfaceID: pod.IfaceID, Key: k, Want: want, Have: cur.ExternalIDs[k]}
		}
	}
	r, err := node.DB.Txn().RequireInterfaceExternalIDs(rep.Name, guard).DeletePort(rep.Name).Commit(ctx)
	if err != nil {
		err = fmt.Errorf("offload: pod %q: deleting port %s: %w", pod.IfaceID, rep.Name, err)
		if errors.Is(err, ovsdb.ErrConflict) {
			err = conflict{err}
		}
		return false, err
	}
	return r.Changed, nil
}
