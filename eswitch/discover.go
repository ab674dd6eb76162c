// SPDX-License-Identifier: Apache-2.0

package eswitch

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/ovsoffload/ovsoffload/internal/sysfs"
)

// SysFS is the view of /sys the package reads (and writes, for
// sriov_numvfs). Paths are relative to the sysfs root: "class/net/p0/ifindex".
// Reads follow symbolic links; ReadLink and Lstat do not. The real one is
// what [New] uses by default; tests pass a fake tree.
type SysFS interface {
	fs.ReadLinkFS
	// WriteFile writes data to an existing attribute file.
	WriteFile(name string, data []byte) error
}

// Controller names who a function belongs to: the local host (Local) or an
// external controller, such as the x86 host of a DPU (Host).
type Controller struct {
	Number   uint32
	External bool
}

// Controllers used by the seed guide.
var (
	// Local is the system running this code (the DPU's Arm cores, or a
	// SmartNIC host): phys_port_name without a "c" prefix, e.g. pf0vf5.
	Local = Controller{}
	// Host is the x86 host seen from a BlueField in DPU mode: external
	// controller 1, phys_port_name c1pf0, c1pf0vf7.
	Host = Controller{Number: 1, External: true}
)

// String formats the controller as phys_port_name's prefix does ("" or "c1").
func (c Controller) String() string {
	if !c.External {
		return "local"
	}
	return "c" + strconv.FormatUint(uint64(c.Number), 10)
}

// Skipped is a netdev discovery saw but could not classify, with the reason.
type Skipped struct {
	Name   string
	Reason string
}

// Inventory is the set of representors found at one moment, with lookups
// by identity. Names in it are a snapshot: after a rename, discover again
// and Resolve the identity.
type Inventory struct {
	reps []Representor
	fsys SysFS
	// Skipped lists switch ports whose phys_port_name could not be parsed;
	// they are reported, not silently dropped.
	Skipped []Skipped
	// DevlinkErr is why the devlink dump could not be used (nil when it
	// was); discovery then relied on sysfs alone and PeerMAC is unknown.
	DevlinkErr error
}

// Representors returns every representor found, in discovery order.
func (inv *Inventory) Representors() []Representor { return slices.Clone(inv.reps) }

// portLister is the devlink port dump; nil when devlink is not used.
type portLister interface {
	ports(ctx context.Context) ([]devlinkPort, error)
}

// netdevInfo is what sysfs says about one netdev.
type netdevInfo struct {
	name     string
	ifindex  int
	portName string
	switchID string
	device   string // canonical device path, "" for virtual devices
	bus      string // the device's bus ("pci", "netdevsim"), "" when unknown
}

// DiscoverSysfs finds representors from sysfs alone (phys_port_name and
// phys_switch_id), without asking devlink. Use [Client.Discover] on a live
// system; this is the fallback it takes when devlink cannot answer.
func DiscoverSysfs(fsys SysFS) (*Inventory, error) {
	return discover(context.Background(), fsys, nil)
}

func discover(ctx context.Context, fsys SysFS, dl portLister) (*Inventory, error) {
	netdevs, err := readNetdevs(fsys)
	if err != nil {
		return nil, err
	}
	inv := &Inventory{fsys: fsys}
	var ports []devlinkPort
	if dl != nil {
		ports, err = dl.ports(ctx)
		if err != nil {
			if cerr := contextEnded(ctx, err); cerr != nil {
				return nil, cerr
			}
			inv.DevlinkErr = err
			ports = nil
		}
	} else {
		inv.DevlinkErr = fmt.Errorf("devlink not asked: %w", ErrNotSupported)
	}
	byIfindex := make(map[int]*netdevInfo, len(netdevs))
	for i := range netdevs {
		byIfindex[netdevs[i].ifindex] = &netdevs[i]
	}
	// First the ports devlink names a netdev for (by ifindex), so that the
	// port-name match below only considers netdevs no port claimed.
	matched := make([]*netdevInfo, len(ports))
	covered := make(map[int]bool)
	for i, p := range ports {
		if !p.HasFlavour || p.NetdevIfindex == 0 {
			continue
		}
		if nd := byIfindex[int(p.NetdevIfindex)]; nd != nil {
			matched[i] = nd
			covered[nd.ifindex] = true
		}
	}
	for i, p := range ports {
		if p.HasFlavour && p.NetdevIfindex == 0 {
			if nd := netdevOfPort(p, netdevs, covered); nd != nil {
				matched[i] = nd
				covered[nd.ifindex] = true
			}
		}
	}
	for i, p := range ports {
		if !p.HasFlavour {
			continue
		}
		r := Representor{Handle: p.Handle, Source: SourceDevlink, PeerMAC: p.HWAddr}
		switchID := ""
		if nd := matched[i]; nd != nil {
			switchID = nd.switchID
			r.Name, r.Ifindex, r.Device = nd.name, nd.ifindex, nd.device
		} else if p.NetdevIfindex != 0 {
			// The netdev is not in this sysfs (another namespace, or it
			// went away between the dump and the read): keep what devlink said.
			r.Name, r.Ifindex = p.NetdevName, int(p.NetdevIfindex)
		}
		r.Identity = p.identity(switchID)
		inv.reps = append(inv.reps, r)
	}
	for _, nd := range netdevs {
		if covered[nd.ifindex] || nd.switchID == "" || nd.portName == "" {
			continue
		}
		id, err := ParsePortName(nd.portName)
		if err != nil {
			inv.Skipped = append(inv.Skipped, Skipped{Name: nd.name, Reason: err.Error()})
			continue
		}
		id.SwitchID = nd.switchID
		inv.reps = append(inv.reps, Representor{Identity: id, Name: nd.name, Ifindex: nd.ifindex, Device: nd.device, Source: SourceSysfs})
	}
	inv.fixUplinkPFs()
	return inv, nil
}

// contextEnded returns the error discovery ends with when the devlink dump
// failed because ctx ended: ctx's error, wrapping the dump's. It returns
// nil for any other failure, even when ctx has ended meanwhile (no devlink
// family, a dial error, a driver's refusal): discovery then falls back to
// sysfs, which does not depend on ctx, so the outcome does not depend on
// when the deadline fell.
func contextEnded(ctx context.Context, err error) error {
	cerr := ctx.Err()
	if cerr == nil {
		return nil
	}
	if errors.Is(err, cerr) {
		return err
	}
	// The socket deadline is the context's: its expiry is the context's.
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return fmt.Errorf("eswitch: devlink port dump: %w (%w)", cerr, err)
	}
	return nil
}

// netdevOfPort finds the netdev of a devlink port whose dump names none
// (DEVLINK_ATTR_PORT_NETDEV_IFINDEX is absent while the port's type is not
// yet or no longer eth: the driver registers the port before its netdev,
// or re-creates the netdev on an eswitch mode change). A netdev no other
// port claimed is the port's when both hold, as they do for mlx5 (PF
// uplinks and representors are children of the eswitch manager PF, SF
// representors of the SF's PF, and the devlink device is that PCI
// function) and netdevsim (netdevs are children of the netdevsim<N> bus
// device, which is the devlink device):
//   - its parent device is the devlink device: the base name of its
//     sysfs device directory is the handle's device name ("0000:03:00.0",
//     "netdevsim233"), and the device's bus, when sysfs names it, is the
//     handle's bus;
//   - its phys_port_name is the one the devlink core derives from the
//     port's attributes (p<number>[s<split>], [c<controller>]pf<pf>[vf<vf>|sf<sf>]).
//
// The match must be unique; otherwise the port stays without netdev.
func netdevOfPort(p devlinkPort, netdevs []netdevInfo, covered map[int]bool) *netdevInfo {
	want := p.identity("").PortName()
	if want == "" {
		return nil
	}
	var hit *netdevInfo
	for i := range netdevs {
		nd := &netdevs[i]
		if covered[nd.ifindex] || nd.portName != want || nd.device == "" || path.Base(nd.device) != p.Handle.Device {
			continue
		}
		if nd.bus != "" && nd.bus != p.Handle.Bus {
			continue
		}
		if hit != nil {
			return nil
		}
		hit = nd
	}
	return hit
}

// fixUplinkPFs sets the PF number of each physical port from the PCI
// PF/VF/SF ports that share its parent device, when they agree on one PF
// number. The physical port number is PCI_FUNC(devfn) on some mlx5 kernels,
// which is 0 for both uplinks of a BlueField-4; the PF ports carry the
// firmware's PF number.
func (inv *Inventory) fixUplinkPFs() {
	pfOf := map[string]int{} // device -> PF number, -1 when they disagree
	for _, r := range inv.reps {
		key := r.deviceKey()
		if key == "" || (r.Flavour != FlavourPCIPF && r.Flavour != FlavourPCIVF && r.Flavour != FlavourPCISF) {
			continue
		}
		if prev, ok := pfOf[key]; ok && prev != int(r.PF) {
			pfOf[key] = -1
		} else if !ok {
			pfOf[key] = int(r.PF)
		}
	}
	for i := range inv.reps {
		r := &inv.reps[i]
		if r.Flavour != FlavourPhysical {
			continue
		}
		if pf, ok := pfOf[r.deviceKey()]; ok && pf >= 0 {
			r.PF = uint16(pf)
		}
	}
}

// deviceKey identifies the parent device: the devlink device when known,
// else the PCI address from sysfs.
func (r Representor) deviceKey() string {
	if !r.Handle.IsZero() {
		return r.Handle.DeviceHandle().String()
	}
	if r.Device != "" {
		return "pci/" + path.Base(r.Device)
	}
	return ""
}

// readNetdevs lists class/net and reads the attributes discovery needs.
func readNetdevs(fsys SysFS) ([]netdevInfo, error) {
	entries, err := fs.ReadDir(fsys, "class/net")
	if err != nil {
		return nil, fmt.Errorf("eswitch: list netdevs in sysfs: %w", err)
	}
	out := make([]netdevInfo, 0, len(entries))
	for _, e := range entries {
		dir := "class/net/" + e.Name()
		s, err := sysfs.ReadString(fsys, dir+"/ifindex")
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue // went away while we listed, or not a netdev
			}
			return nil, fmt.Errorf("eswitch: read %s/ifindex: %w", dir, err)
		}
		ifindex, err := strconv.Atoi(s)
		if err != nil {
			return nil, fmt.Errorf("eswitch: %s/ifindex %q: %w", dir, s, err)
		}
		nd := netdevInfo{name: e.Name(), ifindex: ifindex}
		// Both attributes fail with EOPNOTSUPP on netdevs without them.
		nd.portName, _ = sysfs.ReadString(fsys, dir+"/phys_port_name")
		nd.switchID, _ = sysfs.ReadString(fsys, dir+"/phys_switch_id")
		if dev, err := sysfs.RealPath(fsys, dir+"/device"); err == nil {
			nd.device = dev
			if bus, err := sysfs.RealPath(fsys, dev+"/subsystem"); err == nil {
				nd.bus = path.Base(bus)
			}
		}
		out = append(out, nd)
	}
	return out, nil
}

// find returns the single representor matching pred.
func (inv *Inventory) find(query string, pred func(Representor) bool) (Representor, error) {
	var hits []Representor
	for _, r := range inv.reps {
		if pred(r) {
			hits = append(hits, r)
		}
	}
	switch len(hits) {
	case 0:
		return Representor{}, fmt.Errorf("eswitch: %s: %w", query, ErrNotFound)
	case 1:
		return hits[0], nil
	}
	return Representor{}, &AmbiguousError{Query: query, Candidates: hits}
}

// Uplink returns the physical port (p0, p1) of PF pf. The PF of a physical
// port is the one the PF, VF and SF ports of the same devlink device (or PCI
// device) agree on, else its port number: netdevsim's p1 is PF 1 until its
// VFs (pf0vf0...) exist, PF 0 after.
func (inv *Inventory) Uplink(pf uint16) (Representor, error) {
	return inv.find(fmt.Sprintf("uplink of PF %d", pf), func(r Representor) bool {
		return r.Flavour == FlavourPhysical && r.PF == pf
	})
}

// HostPF returns the representor of PF pf of the external host (pf0hpf on
// a BlueField, phys_port_name c1pf0). Any external controller matches; with
// more than one host (multi-host) the answer is ambiguous: use PF.
func (inv *Inventory) HostPF(pf uint16) (Representor, error) {
	return inv.find(fmt.Sprintf("host PF representor of PF %d", pf), func(r Representor) bool {
		return r.Flavour == FlavourPCIPF && r.External && r.PF == pf
	})
}

// PF returns the representor of PF pf of controller c.
func (inv *Inventory) PF(c Controller, pf uint16) (Representor, error) {
	id := Identity{Flavour: FlavourPCIPF, Controller: c.Number, External: c.External, PF: pf}
	return inv.find("PF representor "+id.PortName(), func(r Representor) bool {
		return r.Flavour == FlavourPCIPF && r.controller() == c && r.PF == pf
	})
}

// VF returns the representor of VF vf of PF pf of controller c: VF(Host, 0, 7)
// is c1pf0vf7 (netdev pf0vf7 on a BlueField), VF(Local, 0, 7) is pf0vf7.
func (inv *Inventory) VF(c Controller, pf, vf uint16) (Representor, error) {
	id := Identity{Flavour: FlavourPCIVF, Controller: c.Number, External: c.External, PF: pf, VF: vf}
	return inv.find("VF representor "+id.PortName(), func(r Representor) bool {
		return r.Flavour == FlavourPCIVF && r.controller() == c && r.PF == pf && r.VF == vf
	})
}

// SF returns the representor of SF sf of PF pf of controller c.
func (inv *Inventory) SF(c Controller, pf uint16, sf uint32) (Representor, error) {
	id := Identity{Flavour: FlavourPCISF, Controller: c.Number, External: c.External, PF: pf, SF: sf}
	return inv.find("SF representor "+id.PortName(), func(r Representor) bool {
		return r.Flavour == FlavourPCISF && r.controller() == c && r.PF == pf && r.SF == sf
	})
}

// Resolve finds the representor with identity id now, whatever its netdev
// is called. An empty id.SwitchID matches any switch.
//
// A physical port (uplink) is found by how the kernel labels it: switch,
// port number and split sub-port (phys_port_name p<port>[s<split>]). Its PF
// number only breaks a tie between ports with the same label (two p0 on one
// switch, as on a BlueField-4): the PF number of an uplink is inferred from
// the PF, VF and SF ports beside it (see [Inventory.Uplink]), so it can
// change when VFs come or go while the port stays the same (netdevsim
// labels its uplink p1, its VFs say PF 0).
func (inv *Inventory) Resolve(id Identity) (Representor, error) {
	query := "representor " + describe(id)
	same := func(r Representor, withPF bool) bool {
		got := r.Identity
		if id.SwitchID == "" {
			got.SwitchID = ""
		}
		if !withPF {
			got.PF = id.PF
		}
		return got == id
	}
	if id.Flavour != FlavourPhysical {
		return inv.find(query, func(r Representor) bool { return same(r, true) })
	}
	r, err := inv.find(query, func(r Representor) bool { return same(r, false) })
	if errors.Is(err, ErrConflict) {
		return inv.find(query, func(r Representor) bool { return same(r, true) })
	}
	return r, err
}

// ByName returns the representor whose netdev is called name now.
func (inv *Inventory) ByName(name string) (Representor, error) {
	return inv.find("representor named "+strconv.Quote(name), func(r Representor) bool { return r.Name == name })
}

// ByIfindex returns the representor whose netdev has ifindex now.
func (inv *Inventory) ByIfindex(ifindex int) (Representor, error) {
	return inv.find("representor with ifindex "+strconv.Itoa(ifindex), func(r Representor) bool { return r.Ifindex == ifindex })
}

func (r Representor) controller() Controller {
	return Controller{Number: r.Controller, External: r.External}
}

func describe(id Identity) string {
	s := id.PortName()
	if s == "" {
		s = id.Flavour.String()
	}
	if id.SwitchID != "" {
		s += " on switch " + id.SwitchID
	}
	return s
}

// Function is the PCI function (or SF) a representor stands for, as this
// host sees it.
type Function struct {
	Identity
	// PCIAddress of the function: the PF, the VF, or for an SF the parent PF.
	PCIAddress string
	// AuxDevice is the SF's auxiliary device ("mlx5_core.sf.2"); empty
	// otherwise.
	AuxDevice string
	// Netdevs are the function's own netdevs on this host (the VF's
	// ens1f0v0, the SF's enp3s0f0s0), excluding representors.
	Netdevs []string
}

// FunctionOf goes from a representor back to the function it stands for.
// A representor of an external controller (c1pf0vf3 on a DPU) stands for a
// function of another host: ErrNotFound, saying so; its MAC, when devlink
// exposes it, is in Representor.PeerMAC.
func (inv *Inventory) FunctionOf(r Representor) (Function, error) {
	fn := Function{Identity: r.Identity}
	if r.External {
		return fn, fmt.Errorf("eswitch: %s stands for a function of external controller %d, not on this host: %w", r, r.Controller, ErrNotFound)
	}
	pfDev, err := inv.pfDevice(r)
	if err != nil {
		return fn, err
	}
	switch r.Flavour {
	case FlavourPhysical, FlavourPCIPF:
		fn.PCIAddress = path.Base(pfDev)
		if up, err := inv.uplinkOn(r); err == nil && up.Name != "" {
			fn.Netdevs = []string{up.Name}
		}
		return fn, nil
	case FlavourPCIVF:
		vfDev, err := sysfs.RealPath(inv.fsys, fmt.Sprintf("%s/virtfn%d", pfDev, r.VF))
		if err != nil {
			return fn, fmt.Errorf("eswitch: %s: PF %s has no virtfn%d: %w", r, path.Base(pfDev), r.VF, ErrNotFound)
		}
		fn.PCIAddress = path.Base(vfDev)
		fn.Netdevs, err = inv.functionNetdevs(vfDev)
		return fn, err
	case FlavourPCISF:
		fn.PCIAddress = path.Base(pfDev)
		aux, err := inv.sfDevice(pfDev, r.SF)
		if err != nil {
			return fn, fmt.Errorf("eswitch: %s: %w", r, err)
		}
		fn.AuxDevice = path.Base(aux)
		fn.Netdevs, err = inv.functionNetdevs(aux)
		return fn, err
	}
	return fn, fmt.Errorf("eswitch: %s: no function behind a %s port: %w", r, r.Flavour, ErrNotSupported)
}

// uplinkOn returns the uplink of r's PF on r's switch.
func (inv *Inventory) uplinkOn(r Representor) (Representor, error) {
	return inv.find(fmt.Sprintf("uplink of PF %d on switch %s", r.PF, r.SwitchID), func(u Representor) bool {
		return u.Flavour == FlavourPhysical && u.PF == r.PF && u.SwitchID == r.SwitchID
	})
}

// pfDevice is the sysfs device directory of the PF r belongs to: the device
// of the uplink of the same PF on the same switch, else r's own parent.
func (inv *Inventory) pfDevice(r Representor) (string, error) {
	if up, err := inv.uplinkOn(r); err == nil && up.Device != "" {
		return up.Device, nil
	}
	if r.Device != "" {
		return r.Device, nil
	}
	return "", fmt.Errorf("eswitch: %s: parent PCI device unknown: %w", r, ErrNotFound)
}

// sfDevice finds the auxiliary device below pfDev whose sfnum is sf.
func (inv *Inventory) sfDevice(pfDev string, sf uint32) (string, error) {
	entries, err := fs.ReadDir(inv.fsys, pfDev)
	if err != nil {
		return "", err
	}
	want := strconv.FormatUint(uint64(sf), 10)
	var hits []string
	for _, e := range entries {
		if !e.IsDir() || !strings.Contains(e.Name(), ".sf.") {
			continue
		}
		if n, err := sysfs.ReadString(inv.fsys, pfDev+"/"+e.Name()+"/sfnum"); err == nil && n == want {
			hits = append(hits, pfDev+"/"+e.Name())
		}
	}
	switch len(hits) {
	case 0:
		return "", fmt.Errorf("no auxiliary SF device with sfnum %d under %s: %w", sf, path.Base(pfDev), ErrNotFound)
	case 1:
		return hits[0], nil
	}
	return "", fmt.Errorf("auxiliary devices %s all have sfnum %d: %w", strings.Join(hits, ", "), sf, ErrConflict)
}

// functionNetdevs lists the netdevs below a function's device directory.
func (inv *Inventory) functionNetdevs(dev string) ([]string, error) {
	entries, err := fs.ReadDir(inv.fsys, dev+"/net")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil // no driver bound, or the netdev is in another namespace
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out, nil
}

// VFInfo is one VF of a PF as the PF's host sees it.
type VFInfo struct {
	VF         int
	PCIAddress string
	Netdevs    []string // empty when no driver is bound
}

// VFs lists the VFs of the PF whose netdev is pfNetdev (virtfn0, virtfn1...
// in sysfs), sorted by VF number. On the host of a DPU this is how VF 0
// (ens1f0v0) is found to become the management port.
func VFs(fsys SysFS, pfNetdev string) ([]VFInfo, error) {
	dev, err := sysfs.RealPath(fsys, "class/net/"+pfNetdev+"/device")
	if err != nil {
		return nil, fmt.Errorf("eswitch: netdev %s has no device: %w", pfNetdev, ErrNotFound)
	}
	entries, err := fs.ReadDir(fsys, dev)
	if err != nil {
		return nil, err
	}
	inv := &Inventory{fsys: fsys}
	var out []VFInfo
	for _, e := range entries {
		n, ok := strings.CutPrefix(e.Name(), "virtfn")
		if !ok {
			continue
		}
		vf, err := strconv.Atoi(n)
		if err != nil {
			continue
		}
		vfDev, err := sysfs.RealPath(fsys, dev+"/"+e.Name())
		if errors.Is(err, fs.ErrNotExist) {
			continue // the VF went away while we listed
		}
		if err != nil {
			return nil, err
		}
		nds, err := inv.functionNetdevs(vfDev)
		if err != nil {
			return nil, err
		}
		out = append(out, VFInfo{VF: vf, PCIAddress: path.Base(vfDev), Netdevs: nds})
	}
	slices.SortFunc(out, func(a, b VFInfo) int { return a.VF - b.VF })
	return out, nil
}

// Driver returns the name of the kernel driver bound to netdev's device, as
// `ethtool -i` reports it for a PCI or auxiliary device ("mlx5_core"): the
// seed guide checks it inside a pod to see that the pod got a VF. A
// virtual netdev (veth, bridge) has no device: ErrNotFound.
func Driver(fsys SysFS, netdev string) (string, error) {
	drv, err := sysfs.RealPath(fsys, "class/net/"+netdev+"/device/driver")
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("eswitch: netdev %s has no device driver in sysfs: %w", netdev, ErrNotFound)
		}
		return "", err
	}
	return path.Base(drv), nil
}

// SystemSysFS returns the machine's /sys as a SysFS, for VFs, Driver and
// DiscoverSysfs outside tests. New uses it when Config.SysFS is nil.
func SystemSysFS() SysFS { return sysfs.Root() }
