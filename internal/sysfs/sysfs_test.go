// SPDX-License-Identifier: Apache-2.0

package sysfs

import (
	"errors"
	"io/fs"
	"testing"
)

func TestRealPathFollowsNestedLinks(t *testing.T) {
	f := NewFake().
		File("devices/pci0000:00/0000:03:00.0/net/p0/ifindex", "7\n").
		Link("devices/pci0000:00/0000:03:00.0/net/p0/device", "../../../0000:03:00.0").
		Link("class/net/p0", "../../devices/pci0000:00/0000:03:00.0/net/p0")
	got, err := RealPath(f, "class/net/p0/device")
	if err != nil {
		t.Fatal(err)
	}
	if want := "devices/pci0000:00/0000:03:00.0"; got != want {
		t.Fatalf("RealPath = %q, want %q", got, want)
	}
	s, err := ReadString(f, "class/net/p0/ifindex")
	if err != nil || s != "7" {
		t.Fatalf("ReadString = %q, %v; want 7", s, err)
	}
}

func TestRealPathRejectsEscapesAndLoops(t *testing.T) {
	f := NewFake().Link("a/b", "../../..").Link("x/y", "../x/y")
	if _, err := RealPath(f, "a/b/c"); err == nil {
		t.Fatal("escape: want error")
	}
	if _, err := RealPath(f, "x/y"); err == nil {
		t.Fatal("loop: want error")
	}
}

func TestFakeWriteReplacesExistingFileOnly(t *testing.T) {
	f := NewFake().File("devices/pf/sriov_numvfs", "0\n").Link("class/net/p0/device", "../../../devices/pf")
	if err := f.WriteFile("class/net/p0/device/sriov_numvfs", []byte("4")); err != nil {
		t.Fatal(err)
	}
	if s, _ := ReadString(f, "devices/pf/sriov_numvfs"); s != "4" {
		t.Fatalf("after write: %q, want 4", s)
	}
	if err := f.WriteFile("devices/pf/nope", []byte("1")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("write to missing file: %v, want ErrNotExist", err)
	}
}

func TestDirReadsRealSysfs(t *testing.T) {
	root := Root()
	s, err := ReadString(root, "class/net/lo/ifindex")
	if err != nil {
		t.Skipf("no /sys/class/net/lo here: %v", err)
	}
	if s != "1" {
		t.Fatalf("lo ifindex %q, want 1", s)
	}
	p, err := RealPath(root, "class/net/lo")
	if err != nil || p != "devices/virtual/net/lo" {
		t.Fatalf("RealPath(class/net/lo) = %q, %v", p, err)
	}
}
