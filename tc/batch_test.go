// SPDX-License-Identifier: Apache-2.0

package tc

import (
	"errors"
	"syscall"
	"testing"

	"github.com/mdlayher/netlink"
)

func TestAckError(t *testing.T) {
	req := nlmsg(44, 0x605, tcmHdr(3, 1, 0xFFFFFFF2, info(1, 0x0800)))
	// A capped error ack with an extended ack message, as the kernel sends
	// for "TC classifier not found" (errno ENOENT).
	capped := cat(n32(uint32(0x100000000-2)), req[:16], nla(1 /* NLMSGERR_ATTR_MSG */, cstr("TC classifier not found")))
	err := ackError(netlink.Header{Type: netlink.Error, Flags: 0x100 | 0x200}, capped)
	var oe *netlink.OpError
	if !errors.As(err, &oe) || oe.Message != "TC classifier not found" || !errors.Is(err, syscall.ENOENT) {
		t.Fatalf("capped ack: %v", err)
	}
	// Uncapped: the whole request is echoed before the attributes.
	full := cat(n32(uint32(0x100000000-17)), req, nla(1, cstr("Exclusivity flag on")), nla(2 /* OFFS */, n32(20)))
	err = ackError(netlink.Header{Type: netlink.Error, Flags: 0x200}, full)
	if !errors.As(err, &oe) || oe.Message != "Exclusivity flag on" || oe.Offset != 20 || !errors.Is(err, syscall.EEXIST) {
		t.Fatalf("uncapped ack: %v", err)
	}
	if err := ackError(netlink.Header{Type: netlink.Error}, cat(n32(0), req[:16])); err != nil {
		t.Fatalf("success ack: %v", err)
	}
	// A sentinel through OpError.
	if e := wrapOpError("add filter", FilterID{Ifindex: 3}, ackError(netlink.Header{Flags: 0x300}, capped)); !errors.Is(e, ErrNotSupported) {
		t.Fatalf("classifier not found is not ErrNotSupported: %v", e)
	}
	// Truncated acks never panic.
	for n := 0; n < len(full); n++ {
		_ = ackError(netlink.Header{Flags: 0x200}, full[:n])
	}
}

func TestBatchErrorUnwrap(t *testing.T) {
	be := &BatchError{Failed: []FilterError{{Index: 2, Err: &OpError{Op: "add filter", Errno: syscall.EEXIST, Err: syscall.EEXIST}}}}
	if !errors.Is(be, ErrConflict) {
		t.Fatalf("BatchError does not unwrap to ErrConflict: %v", be)
	}
}
