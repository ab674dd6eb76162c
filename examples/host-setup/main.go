// SPDX-License-Identifier: Apache-2.0

// Command host-setup does the host-side steps of the seed guide: set the VF
// count of the PF, rename VF 0's netdev to the OVN-Kubernetes management
// port name (forOVN0), and print the SR-IOV device plugin resource for the
// other VFs as JSON ready for its ConfigMap.
//
//	host-setup --pf ens1f0np0 --num-vfs 8 [--mgmt-name forOVN0] [--dry-run] [--json]
//	host-setup --pf ens1f0np0 --num-vfs 8 --print-config     # no hardware needed
//
// VF 0 is found through sysfs by what it is (virtfn0 of the PF), never by a
// guessed name; the rename keeps the original name in the link's alias, so
// a second run finds it and changes nothing. Exit status: 0 on success, 1 on
// failure, 2 on bad usage, found before anything changes: a PF or management
// name the kernel refuses or that is not printable ASCII, a PF name with
// '#' (the device plugin's pfNames separator), --num-vfs outside 2..65535
// or above the PF's sriov_totalvfs, a resource name or prefix Kubernetes
// refuses (name: 1-63 letters, digits, '-', '_', '.'; prefix: a DNS-1123
// subdomain outside kubernetes.io), a --timeout that is not > 0.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/ovsoffload/ovsoffload/eswitch"
	"github.com/ovsoffload/ovsoffload/internal/ifname"
	"github.com/ovsoffload/ovsoffload/internal/textsafe"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// Names read from sysfs and the kernel reach the terminal escaped
	// (JSON keeps its meaning).
	stdout, stderr := textsafe.NewWriter(os.Stdout), textsafe.NewWriter(os.Stderr)
	code := run(ctx, os.Args[1:], stdout, stderr, nil)
	stdout.Flush()
	stderr.Flush()
	stop()
	os.Exit(code)
}

// config is the command line.
type config struct {
	pf, mgmtName, resourceName, resourcePrefix string
	numVFs                                     int
	dryRun, json, printConfig                  bool
	timeout                                    time.Duration
}

func parse(args []string, stderr io.Writer) (*config, error) {
	c := &config{}
	fs := flag.NewFlagSet("host-setup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.pf, "pf", "ens1f0np0", "the PF's `netdev`")
	fs.IntVar(&c.numVFs, "num-vfs", 8, "number of VFs to create: VF 0 becomes the management port, the others go to pods")
	fs.StringVar(&c.mgmtName, "mgmt-name", "forOVN0", "new `name` of VF 0's netdev, the OVN-Kubernetes management port")
	fs.StringVar(&c.resourceName, "resource-name", "asap2_vf", "SR-IOV device plugin resource `name`")
	fs.StringVar(&c.resourcePrefix, "resource-prefix", "nvidia.com", "SR-IOV device plugin resource `prefix`")
	fs.BoolVar(&c.dryRun, "dry-run", false, "say what would change, change nothing")
	fs.BoolVar(&c.json, "json", false, "print JSON")
	fs.BoolVar(&c.printConfig, "print-config", false, "only print the device plugin's config.json (no hardware needed)")
	fs.DurationVar(&c.timeout, "timeout", 60*time.Second, "give up after `duration`")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// validate checks every value before anything is read or changed.
func (c *config) validate() error {
	for name, v := range map[string]string{"pf": c.pf, "mgmt-name": c.mgmtName} {
		if err := ifname.Validate(v); err != nil {
			return fmt.Errorf("--%s %q: %v", name, v, err)
		}
	}
	if strings.Contains(c.pf, "#") {
		// The kernel takes '#' in a name, but the device plugin's pfNames
		// selector "<pf>#<first>-<last>" would read the VF range from it.
		return fmt.Errorf("--pf %q: '#' separates the VF range in the device plugin's pfNames, so a PF named with it cannot be selected", c.pf)
	}
	if c.pf == c.mgmtName {
		return fmt.Errorf("--mgmt-name %q is the PF's name", c.mgmtName)
	}
	if c.numVFs < 2 || c.numVFs > eswitch.MaxVFs {
		return fmt.Errorf("--num-vfs %d: want 2 to %d (VF 0 is the management port, pods need the others; SR-IOV counts VFs in 16 bits)", c.numVFs, eswitch.MaxVFs)
	}
	if err := resourceName(c.resourceName); err != nil {
		return fmt.Errorf("--resource-name %q: %v", c.resourceName, err)
	}
	if err := resourcePrefix(c.resourcePrefix); err != nil {
		return fmt.Errorf("--resource-prefix %q: %v", c.resourcePrefix, err)
	}
	if c.timeout <= 0 {
		return fmt.Errorf("--timeout %v: must be > 0", c.timeout)
	}
	return nil
}

// resourceName checks the name part of a Kubernetes extended resource
// (prefix/name), as Kubernetes' qualified-name rule: 1 to 63 characters,
// letters, digits, '-', '_' and '.', starting and ending with a letter or
// digit.
func resourceName(v string) error {
	if v == "" || len(v) > 63 {
		return fmt.Errorf("%d bytes: want 1 to 63", len(v))
	}
	for i := 0; i < len(v); i++ {
		b := v[i]
		alnum := b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
		if !alnum && (!strings.ContainsRune("-_.", rune(b)) || i == 0 || i == len(v)-1) {
			return fmt.Errorf("byte %q at %d: a Kubernetes resource name has letters, digits, '-', '_' and '.', and starts and ends with a letter or digit", b, i)
		}
	}
	return nil
}

// resourcePrefix checks the prefix of a Kubernetes extended resource: a
// DNS-1123 subdomain (lower-case letters, digits, '-' and '.', at most 253
// bytes, each label starting and ending with a letter or digit), outside
// the kubernetes.io domain Kubernetes keeps for itself.
func resourcePrefix(v string) error {
	if v == "" || len(v) > 253 {
		return fmt.Errorf("%d bytes: want 1 to 253", len(v))
	}
	for _, label := range strings.Split(v, ".") {
		if label == "" || len(label) > 63 {
			return errors.New("a DNS-1123 subdomain has labels of 1 to 63 bytes")
		}
		for i := 0; i < len(label); i++ {
			b := label[i]
			alnum := b >= 'a' && b <= 'z' || b >= '0' && b <= '9'
			if !alnum && (b != '-' || i == 0 || i == len(label)-1) {
				return fmt.Errorf("byte %q: a resource prefix is a DNS-1123 subdomain (a-z, 0-9, '-' and '.')", b)
			}
		}
	}
	if v == "kubernetes.io" || strings.HasSuffix(v, ".kubernetes.io") {
		return errors.New("the kubernetes.io domain is Kubernetes' own")
	}
	return nil
}

// usageError is a value the device refuses, found before anything changed.
type usageError struct{ error }

// DevicePluginConfig is the SR-IOV network device plugin's config.json.
type DevicePluginConfig struct {
	ResourceList []Resource `json:"resourceList"`
}

// Resource is one resource pool of the device plugin.
type Resource struct {
	ResourceName    string    `json:"resourceName"`
	ResourcePrefix  string    `json:"resourcePrefix"`
	ExcludeTopology bool      `json:"excludeTopology"`
	Selectors       Selectors `json:"selectors"`
}

// Selectors pick the VFs of a resource.
type Selectors struct {
	Vendors []string `json:"vendors"`
	Devices []string `json:"devices"`
	Drivers []string `json:"drivers"`
	PfNames []string `json:"pfNames"`
}

// pluginConfig is the guide's resource: the ConnectX/BlueField VFs (vendor
// 15b3, device 101e, mlx5_core) of the PF, VF 1 to the last (VF 0 is the
// management port).
func (c *config) pluginConfig() DevicePluginConfig {
	return DevicePluginConfig{ResourceList: []Resource{{
		ResourceName:    c.resourceName,
		ResourcePrefix:  c.resourcePrefix,
		ExcludeTopology: true,
		Selectors: Selectors{
			Vendors: []string{"15b3"},
			Devices: []string{"101e"},
			Drivers: []string{"mlx5_core"},
			PfNames: []string{c.pf + "#1-" + strconv.Itoa(c.numVFs-1)},
		},
	}}}
}

// env is where the host steps run: an eswitch client and the sysfs it
// reads. Nil means the real host.
type env struct {
	es   *eswitch.Client
	fsys eswitch.SysFS
}

// Result is what --json prints.
type Result struct {
	DryRun  bool               `json:"dry_run"`
	Changes []string           `json:"changes"`
	Config  DevicePluginConfig `json:"device_plugin_config"`
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer, e *env) int {
	c, err := parse(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "host-setup: %v\n", err)
		return 2
	}
	if c.printConfig {
		if err := writeJSON(stdout, c.pluginConfig()); err != nil {
			fmt.Fprintf(stderr, "host-setup: %v\n", err)
			return 1
		}
		return 0
	}
	if e == nil {
		es, err := eswitch.New(eswitch.Config{})
		if err != nil {
			fmt.Fprintf(stderr, "host-setup: %v\n", err)
			return 1
		}
		defer es.Close()
		e = &env{es: es}
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	res := Result{DryRun: c.dryRun, Changes: []string{}, Config: c.pluginConfig()}
	if err := hostSteps(ctx, c, e, &res); err != nil {
		fmt.Fprintf(stderr, "host-setup: %v\n", err)
		if errors.As(err, new(usageError)) {
			return 2
		}
		return 1
	}
	if c.json {
		if err := writeJSON(stdout, res); err != nil {
			fmt.Fprintf(stderr, "host-setup: %v\n", err)
			return 1
		}
		return 0
	}
	prefix := ""
	if c.dryRun {
		prefix = "would "
	}
	if len(res.Changes) == 0 {
		fmt.Fprintln(stdout, "no changes: the host matches")
	}
	for _, ch := range res.Changes {
		fmt.Fprintf(stdout, "%s%s\n", prefix, ch)
	}
	fmt.Fprintln(stdout, "SR-IOV device plugin config.json:")
	if err := writeJSON(stdout, res.Config); err != nil {
		fmt.Fprintf(stderr, "host-setup: %v\n", err)
		return 1
	}
	return 0
}

// hostSteps sets the VF count and renames VF 0, recording each change.
func hostSteps(ctx context.Context, c *config, e *env, res *Result) error {
	fsys := e.fsys
	cur, total, err := e.es.NumVFs(c.pf)
	if err != nil {
		return err
	}
	if total >= 0 && c.numVFs > total {
		return usageError{fmt.Errorf("--num-vfs %d: %s supports at most %d VFs (sriov_totalvfs)", c.numVFs, c.pf, total)}
	}
	if cur != c.numVFs {
		res.Changes = append(res.Changes, fmt.Sprintf("set the VF count of %s from %d to %d", c.pf, cur, c.numVFs))
		if c.dryRun {
			res.Changes = append(res.Changes, fmt.Sprintf("rename VF 0's netdev to %s", c.mgmtName))
			return nil
		}
		if _, err := e.es.SetNumVFs(ctx, c.pf, c.numVFs); err != nil {
			return err
		}
	}
	if fsys == nil {
		fsys = eswitch.RealSysFS()
	}
	// The driver binds the new VFs and creates their netdevs a little
	// after the VFs appear.
	var vfs []eswitch.VFInfo
	for {
		if vfs, err = eswitch.VFs(fsys, c.pf); err != nil {
			return err
		}
		if len(vfs) > 0 && vfs[0].VF == 0 && len(vfs[0].Netdevs) == 1 {
			break
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("VF 0 of %s has no single netdev (%+v): is its driver bound? %w", c.pf, vfs, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
	vf0 := vfs[0].Netdevs[0]
	if vf0 == c.mgmtName {
		return nil
	}
	// sysfs names the netdev as it was when read; the kernel knows whether it
	// was renamed since (the alias keeps the original name).
	link, err := e.es.LinkByOriginalName(ctx, vf0)
	if err != nil {
		return err
	}
	if link.Name == c.mgmtName {
		return nil
	}
	res.Changes = append(res.Changes, fmt.Sprintf("rename VF 0's netdev %s to %s", vf0, c.mgmtName))
	if c.dryRun {
		return nil
	}
	return e.es.RenameLink(ctx, vf0, c.mgmtName)
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
