package offload

import (
	"context"
	"errors"
	"fmt"
	"net"

	"github.com/ovsoffload/ovsoffload/eswitch"
	"github.com/ovsoffload/ovsoffload/internal/ifname"
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
	// Backend decides the interface type and options of the port. Required.
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
	// Sandbox is the pod sandbox (container) ID, optional.
	Sandbox string
	// MAC is the pod interface's MAC address (external_ids:attached_mac).
	MAC net.HardwareAddr
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

func (p PodPort) validate() error {
	if p.Backend == nil {
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

// PlugPod plugs the pod's representor into the integration bridge, with the
// interface type and options of the backend and the external_ids OVN binds
// the logical port by (ovsdb.PodAttachment), then waits, within ctx, for
// ovn-controller to report ovn-installed. It returns the port's name.
//
// Plugging the same pod again changes nothing. A port of that name bound to
// another iface-id or pod UID is rebound, and its stale ovn-installed is
// dropped so the wait is for the new binding. When the wait fails, a port
// PlugPod created is deleted again.
func PlugPod(ctx context.Context, node *Node, pod PodPort) (string, error) {
	if node == nil || node.DB == nil {
		return "", invalidf("node has no database client")
	}
	if err := pod.validate(); err != nil {
		return "", err
	}
	rep, err := pod.representor(ctx, node)
	if err != nil {
		return "", err
	}
	cfg, err := pod.Backend.Interface(rep)
	if err != nil {
		return "", fmt.Errorf("offload: pod %q: port %s under backend %s: %w", pod.IfaceID, rep.Name, pod.Backend.Name(), err)
	}
	att := ovsdb.PodAttachment{IfaceID: pod.IfaceID, IfaceIDVer: pod.PodUID, MAC: pod.MAC, Sandbox: pod.Sandbox,
		PodName: pod.PodName, PodNamespace: pod.PodNamespace}
	spec := ovsdb.PortSpec{Bridge: pod.bridge(), Name: rep.Name, Type: interfaceType(cfg.Type), Options: cfg.Options,
		RemoveOptions: cfg.RemoveOptions, ExternalIDs: att.ExternalIDs()}
	cur, err := node.DB.Port(ctx, rep.Name)
	created := errors.Is(err, ovsdb.ErrNotFound)
	switch {
	case created:
	case err != nil:
		return "", fmt.Errorf("offload: pod %q: reading port %s: %w", pod.IfaceID, rep.Name, err)
	case cur.ExternalIDs["iface-id"] != pod.IfaceID || cur.ExternalIDs["iface-id-ver"] != pod.PodUID:
		spec.RemoveExternalIDs = []string{keyOVNInstalled, keyOVNInstalledTS}
		if pod.PodUID == "" {
			spec.RemoveExternalIDs = append(spec.RemoveExternalIDs, "iface-id-ver")
		}
	}
	if _, err := node.DB.EnsurePort(ctx, spec); err != nil {
		return "", fmt.Errorf("offload: pod %q: plugging %s into %s: %w", pod.IfaceID, rep.Name, spec.Bridge, err)
	}
	if pod.NoWait {
		return rep.Name, nil
	}
	if err := node.DB.WaitOVNInstalled(ctx, rep.Name); err != nil {
		err = fmt.Errorf("offload: pod %q: port %s: %w", pod.IfaceID, rep.Name, err)
		if created {
			uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), UndoTimeout)
			defer cancel()
			if _, derr := node.DB.DeletePort(uctx, rep.Name); derr != nil {
				err = errors.Join(err, fmt.Errorf("offload: removing %s again: %w", rep.Name, derr))
			}
		}
		return "", err
	}
	return rep.Name, nil
}

// UnplugPod deletes the pod's port from OVS and reports whether it was
// there. A port of that name bound to another iface-id is left alone
// (ErrConflict): the representor already serves another pod.
func UnplugPod(ctx context.Context, node *Node, pod PodPort) (bool, error) {
	if node == nil || node.DB == nil {
		return false, invalidf("node has no database client")
	}
	if err := pod.validate(); err != nil {
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
	if id := cur.ExternalIDs["iface-id"]; id != pod.IfaceID {
		return false, fmt.Errorf("offload: pod %q: port %s is bound to %q: %w", pod.IfaceID, rep.Name, id, ErrConflict)
	}
	return node.DB.DeletePort(ctx, rep.Name)
}
