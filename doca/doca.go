package doca

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/ovsoffload/ovsoffload/doca/docalib"
	"github.com/ovsoffload/ovsoffload/dpflow"
	"github.com/ovsoffload/ovsoffload/eswitch"
	"github.com/ovsoffload/ovsoffload/offload"
	"github.com/ovsoffload/ovsoffload/ovsdb"
)

// Other_config keys the backend writes besides those ovsdb.OffloadSettings
// knows.
const (
	KeyCtlPipeSize         = "ctl-pipe-size"
	KeyCongestionThreshold = "doca-congestion-threshold"
	KeyDPDKExtra           = "dpdk-extra"
)

// Keys are the Open_vSwitch other_config keys the backend owns (see
// offload.Register): every key Configure writes or removes besides
// hw-offload, which every backend writes. Activating another backend removes
// them all.
var Keys = []string{ovsdb.KeyDOCAInit, ovsdb.KeyHWOffloadCTSz, KeyCtlPipeSize, KeyCongestionThreshold, KeyDPDKExtra}

// Naming says how a representor's interface is identified to OVS-DOCA.
type Naming string

// Namings.
const (
	// NamingAuto picks by OVS-DOCA version: NamingNetdev from 2.5, otherwise
	// NamingDevargs.
	NamingAuto Naming = ""
	// NamingNetdev: type=dpdk and the interface is named after the netdev
	// (pf0vf7); OVS-DOCA finds the port by name.
	NamingNetdev Naming = "netdev"
	// NamingDevargs: type=dpdk with options:dpdk-devargs
	// "<pci>,dv_xmeta_en=4,dv_flow_en=2,representor=[N]".
	NamingDevargs Naming = "devargs"
)

// NetdevNamingSince is the first OVS-DOCA release (DOCA version) whose
// documentation plugs representors by netdev name without dpdk-devargs. The
// decision, and what to do when it is wrong for a release, is in the README:
// set Config.Naming explicitly.
var NetdevNamingSince = [2]int{2, 5}

// Config configures the backend. Nil pointers and empty strings leave the
// corresponding key unset (removed when the backend activates).
type Config struct {
	// CTSize is other_config:hw-offload-ct-size (connection tracking table).
	CTSize *int
	// CtlPipeSize is other_config:ctl-pipe-size.
	CtlPipeSize *int
	// CongestionThreshold is other_config:doca-congestion-threshold, a
	// percentage 1..100.
	CongestionThreshold *int
	// DPDKExtra is other_config:dpdk-extra (extra EAL arguments).
	DPDKExtra string
	// Naming chooses how representors are plugged; NamingAuto uses Version.
	Naming Naming
	// Version is the OVS-DOCA (DOCA) version, such as "3.2.1"; empty means
	// unknown, which NamingAuto treats as recent (netdev naming).
	Version string
	// Library is the DOCA runtime to load for preflight; empty means
	// docalib.DefaultLibraries.
	Library string
}

// Backend is the OVS-DOCA offload backend.
type Backend struct {
	cfg Config
}

// New returns a DOCA backend after validating cfg.
func New(cfg Config) (*Backend, error) {
	if cfg.CTSize != nil && *cfg.CTSize < 0 {
		return nil, fmt.Errorf("doca: hw-offload-ct-size %d: must be >= 0", *cfg.CTSize)
	}
	if cfg.CtlPipeSize != nil && *cfg.CtlPipeSize <= 0 {
		return nil, fmt.Errorf("doca: ctl-pipe-size %d: must be > 0", *cfg.CtlPipeSize)
	}
	if t := cfg.CongestionThreshold; t != nil && (*t < 1 || *t > 100) {
		return nil, fmt.Errorf("doca: doca-congestion-threshold %d: want 1..100", *t)
	}
	switch cfg.Naming {
	case NamingAuto, NamingNetdev, NamingDevargs:
	default:
		return nil, fmt.Errorf("doca: naming %q: want netdev or devargs", cfg.Naming)
	}
	if cfg.Version != "" {
		if _, err := parseVersion(cfg.Version); err != nil {
			return nil, err
		}
	}
	return &Backend{cfg: cfg}, nil
}

func init() {
	offload.Register("doca", func(s map[string]string) (offload.Backend, error) {
		if err := offload.CheckSettings("doca", s, ovsdb.KeyHWOffloadCTSz, KeyCtlPipeSize, KeyCongestionThreshold,
			KeyDPDKExtra, "naming", "version", "library"); err != nil {
			return nil, err
		}
		cfg := Config{DPDKExtra: s[KeyDPDKExtra], Naming: Naming(s["naming"]), Version: s["version"], Library: s["library"]}
		for key, dst := range map[string]**int{ovsdb.KeyHWOffloadCTSz: &cfg.CTSize, KeyCtlPipeSize: &cfg.CtlPipeSize,
			KeyCongestionThreshold: &cfg.CongestionThreshold} {
			if v, ok := s[key]; ok {
				n, err := strconv.Atoi(v)
				if err != nil {
					return nil, fmt.Errorf("doca: %s %q: not a number", key, v)
				}
				*dst = &n
			}
		}
		return New(cfg)
	}, Keys...)
}

// Name returns "doca".
func (b *Backend) Name() string { return "doca" }

// DatapathType returns "netdev": OVS-DOCA is a userspace datapath.
func (b *Backend) DatapathType() string { return ovsdb.DatapathNetdev }

// Configure writes doca-init=true, hw-offload=true and the configured
// optional keys, and removes the optional keys not configured. Activate
// removes the other backends' keys.
func (b *Backend) Configure(txn *ovsdb.Txn) error {
	on := true
	txn.SetOffload(ovsdb.OffloadSettings{HWOffload: &on, DOCAInit: &on, CTSize: b.cfg.CTSize})
	set := map[string]string{}
	var remove []string
	opt := func(key string, v *int) {
		if v != nil {
			set[key] = strconv.Itoa(*v)
		} else {
			remove = append(remove, key)
		}
	}
	opt(KeyCtlPipeSize, b.cfg.CtlPipeSize)
	opt(KeyCongestionThreshold, b.cfg.CongestionThreshold)
	if b.cfg.CTSize == nil {
		remove = append(remove, ovsdb.KeyHWOffloadCTSz)
	}
	if b.cfg.DPDKExtra != "" {
		set[KeyDPDKExtra] = b.cfg.DPDKExtra
	} else {
		remove = append(remove, KeyDPDKExtra)
	}
	txn.SetMap(ovsdb.TableOpenvSwitch, "", "other_config", set, remove)
	return nil
}

// naming resolves NamingAuto against the configured version.
func (b *Backend) naming() Naming {
	if b.cfg.Naming != NamingAuto {
		return b.cfg.Naming
	}
	if b.cfg.Version == "" {
		return NamingNetdev
	}
	v, _ := parseVersion(b.cfg.Version)
	if v[0] > NetdevNamingSince[0] || (v[0] == NetdevNamingSince[0] && v[1] >= NetdevNamingSince[1]) {
		return NamingNetdev
	}
	return NamingDevargs
}

// Interface returns type=dpdk and, with devargs naming, the dpdk-devargs of
// the representor: "<pci>,dv_xmeta_en=4,dv_flow_en=2" for an uplink,
// ",representor=[N]" added for VF N, "[65535]" for the host PF and "sf[N]"
// for SF N. <pci> is the eswitch manager's PCI address.
func (b *Backend) Interface(rep eswitch.Representor) (offload.InterfaceConfig, error) {
	if b.naming() == NamingNetdev {
		if rep.Name == "" {
			return offload.InterfaceConfig{}, fmt.Errorf("doca: representor %s has no netdev to name the port after", rep.Identity.PortName())
		}
		return offload.InterfaceConfig{Type: "dpdk", RemoveOptions: []string{"dpdk-devargs"}}, nil
	}
	args, err := DevArgs(rep)
	if err != nil {
		return offload.InterfaceConfig{}, err
	}
	return offload.InterfaceConfig{Type: "dpdk", Options: map[string]string{"dpdk-devargs": args}}, nil
}

// HostPFRepresentorIndex is the representor index DPDK uses for the host PF
// of a BlueField (pf0hpf).
const HostPFRepresentorIndex = 65535

// DevArgs returns the dpdk-devargs of a representor for OVS-DOCA releases
// that plug ports by devargs.
func DevArgs(rep eswitch.Representor) (string, error) {
	pci := pciOf(rep.Device)
	if pci == "" {
		pci = rep.Handle.Device
	}
	if pci == "" {
		return "", fmt.Errorf("doca: representor %s: the eswitch manager's PCI address is unknown", rep)
	}
	base := pci + ",dv_xmeta_en=4,dv_flow_en=2"
	switch rep.Flavour {
	case eswitch.FlavourPhysical:
		return base, nil
	case eswitch.FlavourPCIPF:
		return fmt.Sprintf("%s,representor=[%d]", base, HostPFRepresentorIndex), nil
	case eswitch.FlavourPCIVF:
		return fmt.Sprintf("%s,representor=[%d]", base, rep.VF), nil
	case eswitch.FlavourPCISF:
		return fmt.Sprintf("%s,representor=sf[%d]", base, rep.SF), nil
	}
	return "", fmt.Errorf("doca: representor %s: flavour %s has no dpdk-devargs form", rep, rep.Flavour)
}

// pciOf returns the last path element of a sysfs device path when it looks
// like a PCI address ("0000:03:00.0").
func pciOf(device string) string {
	last := device[strings.LastIndex(device, "/")+1:]
	if len(last) == 12 && last[4] == ':' && last[7] == ':' && last[10] == '.' {
		return last
	}
	return ""
}

func parseVersion(s string) ([2]int, error) {
	var v [2]int
	parts := strings.SplitN(s, ".", 3)
	if len(parts) < 2 {
		return v, fmt.Errorf("doca: version %q: want MAJOR.MINOR[.PATCH]", s)
	}
	for i := range 2 {
		n, err := strconv.Atoi(parts[i])
		if err != nil || n < 0 {
			return v, fmt.Errorf("doca: version %q: want MAJOR.MINOR[.PATCH]", s)
		}
		v[i] = n
	}
	return v, nil
}

// Verify classifies the node's datapath flows: offloaded:yes, dp:doca is in
// hardware; partial is partial; the rest stays in OVS.
func (b *Backend) Verify(ctx context.Context, node *offload.Node) (*offload.Report, error) {
	facts, err := offload.GatherFacts(ctx, node, b.Name())
	if err != nil {
		return nil, err
	}
	facts.Limits = append(facts.Limits, "dp:doca verdicts are OVS-DOCA's own report; no hardware counter was read independently")
	return offload.ClassifyEach(func(fn func(*dpflow.Flow) error) error { return node.EachFlow(ctx, fn) }, facts)
}

var _ offload.Backend = (*Backend)(nil)

// loadRuntime opens the DOCA runtime for preflight.
func (b *Backend) loadRuntime() (*docalib.Lib, error) { return docalib.Open(b.cfg.Library) }
