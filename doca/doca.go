// SPDX-License-Identifier: Apache-2.0

package doca

import (
	"context"
	"fmt"
	"os"
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
	KeyDPDKInit            = "dpdk-init"
	KeyCtlPipeSize         = "ctl-pipe-size"
	KeyCtlPipeInfraSize    = "ctl-pipe-infra-size"
	KeyCongestionThreshold = "doca-congestion-threshold"
	KeyEswitchMax          = "doca-eswitch-max"
	KeyDPDKExtra           = "dpdk-extra"
	KeyDPDKMaxMemzones     = "dpdk-max-memzones"
	KeyCTUnidirUDP         = "hw-offload-ct-unidir-udp-enabled"
	KeyCTIPv6              = "hw-offload-ct-ipv6-enabled"
	KeyPMDQuietIdle        = "pmd-quiet-idle"
)

// Keys are the Open_vSwitch other_config keys the backend owns (see
// offload.Register): every key Configure writes or removes besides
// hw-offload, which every backend writes. Activating another backend removes
// them all.
var Keys = []string{ovsdb.KeyDOCAInit, KeyDPDKInit, ovsdb.KeyHWOffloadCTSz, KeyCtlPipeSize, KeyCtlPipeInfraSize,
	KeyCongestionThreshold, KeyEswitchMax, KeyDPDKExtra, KeyDPDKMaxMemzones, KeyCTUnidirUDP, KeyCTIPv6, KeyPMDQuietIdle}

// RestartKeys are the keys of Keys (besides doca-init and
// hw-offload-ct-size, which ovsdb reports itself) that ovs-vswitchd reads
// once, when DPDK and DOCA initialise: changing one is reported in the
// Result's RestartNeeded.
var RestartKeys = []string{KeyDPDKInit, KeyCongestionThreshold, KeyDPDKExtra, KeyDPDKMaxMemzones}

// Congestion threshold bounds and default of doca-congestion-threshold, a
// percentage of the offload queue.
const (
	CongestionThresholdMin     = 30
	CongestionThresholdMax     = 90
	CongestionThresholdDefault = 80
)

// PortType is the interface type OVS-DOCA ports get.
type PortType string

// Port types.
const (
	// PortDOCA is type=doca, named after the representor's netdev (pf0vf7):
	// the port type of current OVS-DOCA releases (the default).
	PortDOCA PortType = "doca"
	// PortDPDK is type=dpdk, the port type of older OVS-DOCA releases (and
	// of NVIDIA's ovs-tests), named by netdev or by dpdk-devargs (Naming).
	// mlx5 type=dpdk and type=doca ports cannot share an eswitch.
	PortDPDK PortType = "dpdk"
)

// Naming says how a type=dpdk representor is identified to OVS-DOCA.
type Naming string

// Namings.
const (
	// NamingAuto is NamingNetdev. (No OVS-DOCA release note gives a
	// version from which netdev names work for type=dpdk, so no version
	// picks it: choose NamingDevargs for the releases that need it.)
	NamingAuto Naming = ""
	// NamingNetdev: type=dpdk and the interface is named after the netdev
	// (pf0vf7); OVS-DOCA finds the port by name.
	NamingNetdev Naming = "netdev"
	// NamingDevargs: type=dpdk with options:dpdk-devargs
	// "<pci>,dv_xmeta_en=4,dv_flow_en=2,representor=[N]".
	NamingDevargs Naming = "devargs"
)

// Config configures the backend. Nil pointers and empty strings leave the
// corresponding key unset (removed when the backend activates).
type Config struct {
	// CTSize is other_config:hw-offload-ct-size (connection tracking
	// table); 0 turns conntrack offload off.
	CTSize *int
	// CtlPipeSize is other_config:ctl-pipe-size, >= 0 (0 is DOCA's
	// default size).
	CtlPipeSize *int
	// CtlPipeInfraSize is other_config:ctl-pipe-infra-size, >= 0.
	CtlPipeInfraSize *int
	// CongestionThreshold is other_config:doca-congestion-threshold, a
	// percentage 30..90 (OVS-DOCA's default is 80), read once at start-up.
	CongestionThreshold *int
	// EswitchMax is other_config:doca-eswitch-max, the number of eswitches
	// OVS-DOCA drives, >= 1.
	EswitchMax *int
	// DPDKExtra is other_config:dpdk-extra (extra EAL arguments), read once
	// at start-up.
	DPDKExtra string
	// DPDKMaxMemzones is other_config:dpdk-max-memzones, >= 1, read once at
	// start-up.
	DPDKMaxMemzones *int
	// CTUnidirUDP is other_config:hw-offload-ct-unidir-udp-enabled.
	CTUnidirUDP *bool
	// CTIPv6 is other_config:hw-offload-ct-ipv6-enabled.
	CTIPv6 *bool
	// PMDQuietIdle is other_config:pmd-quiet-idle.
	PMDQuietIdle *bool
	// PortType is the interface type of the ports; "" is PortDOCA.
	PortType PortType
	// Naming chooses how type=dpdk representors are plugged (PortDPDK
	// only); NamingAuto is NamingNetdev.
	Naming Naming
	// Multiport says the NIC runs one multiport eswitch for its uplinks
	// (with devargs naming): the second uplink is plugged through the
	// eswitch manager (PF0) as representor=pf1, and PF N's VFs as
	// representor=pfNvfM. PF0 is taken to be function 0 of the uplink's PCI
	// device, as on ConnectX and BlueField.
	Multiport bool
	// Version is the OVS-DOCA (DOCA) version, such as "3.2.1", as a
	// record; it is validated but picks nothing (see PortType, Naming).
	Version string
	// Library is the DOCA runtime to load for preflight, a file or a
	// directory holding one (docalib.OpenDir); empty means
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
	for _, c := range []struct {
		key string
		v   *int
		min int
	}{{KeyCtlPipeSize, cfg.CtlPipeSize, 0}, {KeyCtlPipeInfraSize, cfg.CtlPipeInfraSize, 0},
		{KeyEswitchMax, cfg.EswitchMax, 1}, {KeyDPDKMaxMemzones, cfg.DPDKMaxMemzones, 1}} {
		if c.v != nil && *c.v < c.min {
			return nil, fmt.Errorf("doca: %s %d: must be >= %d", c.key, *c.v, c.min)
		}
	}
	if t := cfg.CongestionThreshold; t != nil && (*t < CongestionThresholdMin || *t > CongestionThresholdMax) {
		return nil, fmt.Errorf("doca: doca-congestion-threshold %d: want %d..%d (default %d)", *t,
			CongestionThresholdMin, CongestionThresholdMax, CongestionThresholdDefault)
	}
	switch cfg.Naming {
	case NamingAuto, NamingNetdev, NamingDevargs:
	default:
		return nil, fmt.Errorf("doca: naming %q: want netdev or devargs", cfg.Naming)
	}
	switch cfg.PortType {
	case "":
		cfg.PortType = PortDOCA
	case PortDOCA, PortDPDK:
	default:
		return nil, fmt.Errorf("doca: port-type %q: want doca or dpdk", cfg.PortType)
	}
	if cfg.PortType == PortDOCA && (cfg.Naming == NamingDevargs || cfg.Multiport) {
		return nil, fmt.Errorf("doca: naming=devargs and multiport apply to port-type=dpdk; type=doca ports are named after the netdev")
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
		if err := offload.CheckSettings("doca", s, ovsdb.KeyHWOffloadCTSz, KeyCtlPipeSize, KeyCtlPipeInfraSize,
			KeyCongestionThreshold, KeyEswitchMax, KeyDPDKExtra, KeyDPDKMaxMemzones, KeyCTUnidirUDP, KeyCTIPv6,
			KeyPMDQuietIdle, "naming", "version", "library", "port-type", "multiport"); err != nil {
			return nil, err
		}
		cfg := Config{DPDKExtra: s[KeyDPDKExtra], Naming: Naming(s["naming"]), Version: s["version"], Library: s["library"],
			PortType: PortType(s["port-type"])}
		if v, ok := s["multiport"]; ok {
			mp, err := strconv.ParseBool(v)
			if err != nil {
				return nil, fmt.Errorf("doca: multiport %q: want true or false", v)
			}
			cfg.Multiport = mp
		}
		for key, dst := range map[string]**bool{KeyCTUnidirUDP: &cfg.CTUnidirUDP, KeyCTIPv6: &cfg.CTIPv6,
			KeyPMDQuietIdle: &cfg.PMDQuietIdle} {
			if v, ok := s[key]; ok {
				b, err := strconv.ParseBool(v)
				if err != nil {
					return nil, fmt.Errorf("doca: %s %q: want true or false", key, v)
				}
				*dst = &b
			}
		}
		for key, dst := range map[string]**int{ovsdb.KeyHWOffloadCTSz: &cfg.CTSize, KeyCtlPipeSize: &cfg.CtlPipeSize,
			KeyCtlPipeInfraSize: &cfg.CtlPipeInfraSize, KeyCongestionThreshold: &cfg.CongestionThreshold,
			KeyEswitchMax: &cfg.EswitchMax, KeyDPDKMaxMemzones: &cfg.DPDKMaxMemzones} {
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

// Configure writes doca-init=true, dpdk-init=true, hw-offload=true and the
// configured optional keys, and removes the optional keys not configured.
// Activate removes the other backends' keys. The Result's RestartNeeded
// lists the keys changed that ovs-vswitchd reads only at start-up (see
// RestartKeys).
func (b *Backend) Configure(txn *ovsdb.Txn) error {
	on := true
	txn.SetOffload(ovsdb.OffloadSettings{HWOffload: &on, DOCAInit: &on, CTSize: b.cfg.CTSize})
	set := map[string]string{KeyDPDKInit: "true"}
	var remove []string
	opt := func(key string, v *int) {
		if v != nil {
			set[key] = strconv.Itoa(*v)
		} else {
			remove = append(remove, key)
		}
	}
	optBool := func(key string, v *bool) {
		if v != nil {
			set[key] = strconv.FormatBool(*v)
		} else {
			remove = append(remove, key)
		}
	}
	opt(KeyCtlPipeSize, b.cfg.CtlPipeSize)
	opt(KeyCtlPipeInfraSize, b.cfg.CtlPipeInfraSize)
	opt(KeyCongestionThreshold, b.cfg.CongestionThreshold)
	opt(KeyEswitchMax, b.cfg.EswitchMax)
	opt(KeyDPDKMaxMemzones, b.cfg.DPDKMaxMemzones)
	optBool(KeyCTUnidirUDP, b.cfg.CTUnidirUDP)
	optBool(KeyCTIPv6, b.cfg.CTIPv6)
	optBool(KeyPMDQuietIdle, b.cfg.PMDQuietIdle)
	if b.cfg.CTSize == nil {
		remove = append(remove, ovsdb.KeyHWOffloadCTSz)
	}
	if b.cfg.DPDKExtra != "" {
		set[KeyDPDKExtra] = b.cfg.DPDKExtra
	} else {
		remove = append(remove, KeyDPDKExtra)
	}
	txn.RestartIfChanged(set, remove, RestartKeys...)
	txn.SetMap(ovsdb.TableOpenvSwitch, "", "other_config", set, remove)
	return nil
}

// PortType returns the interface type the backend gives ports.
func (b *Backend) PortType() PortType { return b.cfg.PortType }

// Interface returns type=doca named after the netdev (the default), or
// type=dpdk and, with devargs naming, the dpdk-devargs of the representor:
// "<pci>,dv_xmeta_en=4,dv_flow_en=2" for an uplink, ",representor=[N]"
// added for VF N, "[65535]" for the host PF and "sf[N]" for SF N. <pci> is
// the eswitch manager's PCI address. With Multiport, see DevArgsMultiport.
func (b *Backend) Interface(rep eswitch.Representor) (offload.InterfaceConfig, error) {
	if b.cfg.PortType == PortDOCA || b.cfg.Naming != NamingDevargs {
		if rep.Name == "" {
			return offload.InterfaceConfig{}, fmt.Errorf("doca: representor %s has no netdev to name the port after", rep.Identity.PortName())
		}
		return offload.InterfaceConfig{Type: string(b.cfg.PortType), RemoveOptions: []string{"dpdk-devargs"}}, nil
	}
	devargs := DevArgs
	if b.cfg.Multiport {
		devargs = DevArgsMultiport
	}
	args, err := devargs(rep)
	if err != nil {
		return offload.InterfaceConfig{}, err
	}
	return offload.InterfaceConfig{Type: string(PortDPDK), Options: map[string]string{"dpdk-devargs": args}}, nil
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

// DevArgsMultiport returns the dpdk-devargs of a representor of a
// multiport eswitch, where every port goes through the eswitch manager,
// PF0: "<pci of PF0>,dv_xmeta_en=4,dv_flow_en=2,representor=pfN" for the
// uplink of PF N > 0, ",representor=pfNvfM" for VF M of PF N (PF0's own
// ports keep the forms of DevArgs). PF0's PCI address is function 0 of the
// representor's PCI device.
func DevArgsMultiport(rep eswitch.Representor) (string, error) {
	if rep.PF == 0 {
		return DevArgs(rep)
	}
	pci := pciOf(rep.Device)
	if pci == "" {
		pci = rep.Handle.Device
	}
	if !isPCI(pci) {
		return "", fmt.Errorf("doca: representor %s: the eswitch manager's PCI address is unknown", rep)
	}
	base := pci[:len(pci)-1] + "0,dv_xmeta_en=4,dv_flow_en=2"
	switch rep.Flavour {
	case eswitch.FlavourPhysical:
		return fmt.Sprintf("%s,representor=pf%d", base, rep.PF), nil
	case eswitch.FlavourPCIVF:
		return fmt.Sprintf("%s,representor=pf%dvf%d", base, rep.PF, rep.VF), nil
	}
	return "", fmt.Errorf("doca: representor %s: flavour %s of PF %d has no multiport dpdk-devargs form", rep, rep.Flavour, rep.PF)
}

func isPCI(s string) bool { return len(s) == 12 && s[4] == ':' && s[7] == ':' && s[10] == '.' }

// pciOf returns the last path element of a sysfs device path when it looks
// like a PCI address ("0000:03:00.0").
func pciOf(device string) string {
	last := device[strings.LastIndex(device, "/")+1:]
	if isPCI(last) {
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
// hardware; partial is partial; the rest stays in OVS. With node.Target it
// also reads dpctl/offload-stats-show and doca/log-get through the control
// socket, and writes what they say into the report's limits.
func (b *Backend) Verify(ctx context.Context, node *offload.Node) (*offload.Report, error) {
	facts, err := offload.GatherFacts(ctx, node, b.Name())
	if err != nil {
		return nil, err
	}
	facts.Limits = append(facts.Limits, "dp:doca verdicts are OVS-DOCA's own report; no hardware counter was read independently")
	facts.Limits = append(facts.Limits, appctlEvidence(ctx, node)...)
	return offload.ClassifyEach(func(fn func(*dpflow.Flow) error) error { return node.EachFlow(ctx, fn) }, facts)
}

var _ offload.Backend = (*Backend)(nil)

// loadRuntime opens the DOCA runtime for preflight: Config.Library, which
// may be a file or a directory (docalib.OpenDir), or the default names.
func (b *Backend) loadRuntime() (*docalib.Lib, error) {
	if b.cfg.Library != "" {
		if st, err := os.Stat(b.cfg.Library); err == nil && st.IsDir() {
			return docalib.OpenDir(b.cfg.Library)
		}
	}
	return docalib.Open(b.cfg.Library)
}
