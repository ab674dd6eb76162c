// SPDX-License-Identifier: Apache-2.0

//go:build cgo && linux

package docalib

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/ovsoffload/ovsoffload/doca/docalib/docatest"
)

func openStandin(t *testing.T, flags ...string) *Lib {
	t.Helper()
	l, err := Open(docatest.Build(t, flags...))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func requireNoLeak(t *testing.T, l *Lib) {
	t.Helper()
	if n := l.outstanding(); n != 0 {
		t.Fatalf("the stand-in runtime holds %d lists or devices the shim did not release", n)
	}
}

func TestDevicesBlueField3(t *testing.T) {
	l := openStandin(t)
	docatest.UseTree(t, docatest.BlueField3)
	if m := l.Missing(); len(m) != 0 {
		t.Errorf("Missing() = %v, want none", m)
	}
	v, err := l.Version()
	if err != nil || v != "3.2.1-standin" {
		t.Errorf("Version() = %q, %v", v, err)
	}
	devs, err := l.Devices(FilterNet)
	if err != nil {
		t.Fatal(err)
	}
	requireNoLeak(t, l)
	if len(devs) != 2 || devs[0].Iface != "p0" || devs[0].PCI != "0000:03:00.0" || devs[1].Iface != "p1" {
		t.Fatalf("devices: %+v", devs)
	}
	var got []string
	for _, r := range devs[0].Representors {
		got = append(got, fmt.Sprintf("%s/%s/%s/h%d/pf%d/vf%d", r.Iface, r.Type, r.PCI, r.Host, r.PF, r.VF))
	}
	want := []string{
		"pf0hpf/pf/0000:3b:00.0/h1/pf0/vf-1",
		"pf0vf0/vf/0000:3b:00.2/h1/pf0/vf0",
		"pf0vf1/vf/0000:3b:00.3/h1/pf0/vf1",
		"en3f0pf0sf0/sf/0000:03:00.0/h-1/pf0/vf-1",
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("representors of p0 with FilterNet:\n got %v\nwant %v", got, want)
	}
	if devs[0].Representors[1].VUID != "MT2334X00001PF0VF0" {
		t.Errorf("VUID %q", devs[0].Representors[1].VUID)
	}
	all, err := l.Devices(FilterAll)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(all[0].Representors); n != 5 {
		t.Errorf("FilterAll: %d representors of p0, want 5 (with the emulated one)", n)
	}
	list, err := l.DeviceList()
	if err != nil || len(list) != 2 || list[0].Representors != nil {
		t.Errorf("DeviceList: %+v %v", list, err)
	}
	if d, err := Lookup(devs, "p1"); err != nil || d.PCI != "0000:03:00.1" {
		t.Errorf("Lookup(p1) = %+v, %v", d, err)
	}
	if _, err := Lookup(devs, "p9"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Lookup(p9) error %v does not match ErrNotFound", err)
	}
	requireNoLeak(t, l)
}

// TestEveryErrorCode makes each DOCA function the shim calls fail with each
// error code, and checks the error names the function, the code and DOCA's
// own name for it, and that nothing stays allocated.
func TestEveryErrorCode(t *testing.T) {
	l := openStandin(t)
	fns := []string{
		"doca_devinfo_create_list", "doca_devinfo_get_pci_addr_str", "doca_devinfo_get_iface_name",
		"doca_dev_open", "doca_devinfo_rep_create_list", "doca_devinfo_rep_get_pci_addr_str",
		"doca_devinfo_rep_get_pci_func_type", "doca_devinfo_rep_get_vuid", "doca_devinfo_rep_get_iface_name",
		"doca_devinfo_rep_destroy_list", "doca_dev_close", "doca_devinfo_destroy_list",
		"doca_devinfo_rep_cap_is_filter_net_supported",
	}
	for _, fn := range fns {
		for code := 1; code <= 22; code++ {
			if code == 4 && (fn == "doca_devinfo_rep_create_list" || fn == "doca_devinfo_rep_cap_is_filter_net_supported") {
				continue // a device that is no eswitch manager: TestNonManagerDeviceSkipped
			}
			docatest.UseTree(t, docatest.BlueField3+fmt.Sprintf("fail %s %d\n", fn, code))
			_, err := l.Devices(FilterNet)
			var de *Error
			if !errors.As(err, &de) {
				t.Fatalf("%s failing with %d: got %v, want *Error", fn, code, err)
			}
			if de.Op != fn || de.Code != code || !strings.HasPrefix(de.Name, "DOCA_ERROR_") || de.Description == "" {
				t.Fatalf("%s failing with %d: %+v", fn, code, de)
			}
			if errors.Is(err, ErrNotSupported) != (code == 4) || errors.Is(err, ErrNotFound) != (code == 16) {
				t.Fatalf("%s failing with %d: errors.Is mapping wrong: %v", fn, code, err)
			}
			requireNoLeak(t, l)
		}
	}
}

func TestOlderRuntimeLacksOptionalSymbols(t *testing.T) {
	l := openStandin(t, "-DSTANDIN_OLD")
	docatest.UseTree(t, docatest.BlueField3)
	want := []string{"doca_devinfo_rep_get_iface_name", "doca_devinfo_rep_get_host_index",
		"doca_devinfo_rep_get_pf_index", "doca_devinfo_rep_get_vf_index", "doca_version_runtime",
		"doca_devinfo_rep_cap_is_filter_net_supported"}
	if got := l.Missing(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("Missing() = %v, want %v", got, want)
	}
	// doca_version is static inline in doca_version.h: a symbol of that
	// name (the stand-in exports one as a trap) is not DOCA's and is not
	// used.
	if v, err := l.Version(); v != "" || err != nil {
		t.Errorf("Version() = %q, %v: want \"\" from a runtime without doca_version_runtime", v, err)
	}
	devs, err := l.Devices(FilterNet)
	if err != nil {
		t.Fatal(err)
	}
	r := devs[0].Representors[1]
	if r.Iface != "" || r.Host != -1 || r.PF != -1 || r.VF != -1 || r.PCI != "0000:3b:00.2" {
		t.Errorf("representor from an older runtime: %+v", r)
	}
	requireNoLeak(t, l)
}

func TestRequiredSymbolMissing(t *testing.T) {
	_, err := Open(docatest.Build(t, "-DSTANDIN_NO_VUID"))
	if !errors.Is(err, ErrNotSupported) || !strings.Contains(err.Error(), "doca_devinfo_rep_get_vuid") {
		t.Fatalf("Open of a runtime without doca_devinfo_rep_get_vuid: %v", err)
	}
}

func TestLibraryAbsent(t *testing.T) {
	_, err := Open(filepath.Join(t.TempDir(), "libdoca_common.so.2"))
	if !errors.Is(err, ErrNotSupported) || !strings.Contains(err.Error(), "libdoca_common.so.2") {
		t.Fatalf("Open of an absent library: %v", err)
	}
	t.Setenv("LD_LIBRARY_PATH", t.TempDir())
	if _, err := Open(""); !errors.Is(err, ErrNotSupported) {
		t.Fatalf("Open(\"\") on a machine without DOCA: %v", err)
	}
}

func TestClosedAndConcurrent(t *testing.T) {
	l := openStandin(t)
	docatest.UseTree(t, docatest.BlueField3)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				devs, err := l.Devices(FilterNet)
				if err != nil {
					errs <- err
					return
				}
				if len(devs) != 2 {
					errs <- fmt.Errorf("%d devices", len(devs))
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	requireNoLeak(t, l)
	l.Close()
	if _, err := l.Devices(FilterNet); err == nil {
		t.Error("Devices after Close succeeded")
	}
}

// nonManagerTree is a host with a ConnectX whose second PF is no eswitch
// manager (legacy mode, or a multiport eswitch's non-manager PF) and a
// BlueField's manager PF.
const nonManagerTree = `version 3.2.1-standin
device pci=0000:81:00.1 iface=enp129s0f1np1 manager=0
rep pci=0000:81:00.5 type=vf iface=never-listed vuid=X host=0 pf=1 vf=0
device pci=0000:03:00.0 iface=p0
rep pci=0000:3b:00.2 type=vf iface=pf0vf0 vuid=MT2334X00001PF0VF0 host=1 pf=0 vf=0
`

// TestNonManagerDeviceSkipped: a device that is no eswitch manager no
// longer aborts the inventory, whether the runtime has the capability
// check (asked first, the device is never opened) or not (the listing's
// DOCA_ERROR_NOT_SUPPORTED is taken as "no representors").
func TestNonManagerDeviceSkipped(t *testing.T) {
	for _, flags := range [][]string{nil, {"-DSTANDIN_NO_CAP"}} {
		t.Run(fmt.Sprint(flags), func(t *testing.T) {
			l := openStandin(t, flags...)
			docatest.UseTree(t, nonManagerTree)
			devs, err := l.Devices(FilterNet)
			if err != nil {
				t.Fatalf("Devices: %v", err)
			}
			requireNoLeak(t, l)
			if len(devs) != 2 || !devs[0].NotManager || len(devs[0].Representors) != 0 || devs[1].NotManager ||
				len(devs[1].Representors) != 1 || devs[1].Representors[0].Iface != "pf0vf0" {
				t.Fatalf("devices: %+v", devs)
			}
		})
	}
	// Another error of the capability check still fails, naming it.
	l := openStandin(t)
	docatest.UseTree(t, nonManagerTree+"fail doca_devinfo_rep_cap_is_filter_net_supported 3\n")
	if _, err := l.Devices(FilterNet); err == nil || !strings.Contains(err.Error(), "doca_devinfo_rep_cap_is_filter_net_supported") {
		t.Fatalf("a failing capability check: %v", err)
	}
	requireNoLeak(t, l)
}

// TestOpenDirPrefersVersionedNames: DOCA 3.x installs libdoca_common.so.3
// (and only its -dev package the unversioned name); OpenDir takes the
// versioned library first.
func TestOpenDirPrefersVersionedNames(t *testing.T) {
	if DefaultLibraries[0] != "libdoca_common.so.3" || DefaultLibraries[len(DefaultLibraries)-1] != "libdoca_common.so" {
		t.Fatalf("DefaultLibraries = %v", DefaultLibraries)
	}
	dir := t.TempDir()
	docatest.BuildAs(t, filepath.Join(dir, "libdoca_common.so"), "-DSTANDIN_OLD")
	l, err := OpenDir(dir)
	if err != nil || filepath.Base(l.Path()) != "libdoca_common.so" {
		t.Fatalf("OpenDir with only the unversioned name: %v %v", l, err)
	}
	l.Close()
	docatest.BuildAs(t, filepath.Join(dir, "libdoca_common.so.3"))
	l, err = OpenDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if filepath.Base(l.Path()) != "libdoca_common.so.3" || len(l.Missing()) != 0 {
		t.Errorf("OpenDir loaded %s (missing %v), want libdoca_common.so.3", l.Path(), l.Missing())
	}
	if _, err := OpenDir(t.TempDir()); !errors.Is(err, ErrNotSupported) || !strings.Contains(err.Error(), "libdoca_common.so.3: absent") {
		t.Errorf("OpenDir of an empty directory: %v", err)
	}
}
