// SPDX-License-Identifier: Apache-2.0

package tc

import (
	"errors"
	"fmt"
	"strings"
	"syscall"

	"github.com/ovsoffload/ovsoffload"

	"github.com/mdlayher/netlink"
)

// Sentinel errors, matched with errors.Is. Each is the module's shared value
// (ovsoffload.ErrNotFound, ...), the same in every package.
var (
	// ErrNotFound: the device, qdisc, chain or filter does not exist. The
	// shared ovsoffload.ErrNotFound.
	ErrNotFound = ovsoffload.ErrNotFound
	// ErrNotSupported: the kernel lacks cls_flower, the qdisc or an action
	// module. Returned only when the kernel said so conclusively. The shared
	// ovsoffload.ErrNotSupported.
	ErrNotSupported = ovsoffload.ErrNotSupported
	// ErrConflict: the object exists already, or exists with another kind.
	// The shared ovsoffload.ErrConflict.
	ErrConflict = ovsoffload.ErrConflict
)

// OpError reports a failed netlink operation with the kernel's extended
// acknowledgement message (extack), such as "TC classifier not found".
type OpError struct {
	Op      string   // "add filter", "replace filter", "delete filter", "dump filters", "add qdisc", ...
	ID      FilterID // the filter (or, for a qdisc, its device) concerned
	Errno   syscall.Errno
	Message string // extack message from the kernel, may be empty
	Err     error  // the underlying error (usually *netlink.OpError)
}

// Error formats the operation, the filter, the errno and the extack message.
func (e *OpError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "tc: %s dev %d", e.Op, e.ID.Ifindex)
	if e.ID.Prio != 0 {
		fmt.Fprintf(&b, " chain %d prio %d handle %#x", e.ID.Chain, e.ID.Prio, e.ID.Handle)
	}
	fmt.Fprintf(&b, ": %v", e.Err)
	return b.String()
}

// Unwrap returns the underlying error and the matching sentinel.
func (e *OpError) Unwrap() []error {
	errs := []error{e.Err}
	if s := e.sentinel(); s != nil {
		errs = append(errs, s)
	}
	return errs
}

// Extack messages with which the kernel says a module is missing
// (net/sched/cls_api.c, sch_api.c, act_api.c).
var notSupportedMessages = []string{
	"TC classifier not found",
	"Failed to load TC action module",
	"Specified qdisc kind is unknown",
}

// oldQdiscKindMessage is what kernels before 6.2 said for an unknown qdisc
// kind; it only means "not supported" when adding a qdisc.
const oldQdiscKindMessage = "Specified qdisc not found"

func (e *OpError) sentinel() error {
	switch e.Errno {
	case syscall.ENOENT, syscall.EOPNOTSUPP:
		for _, m := range notSupportedMessages {
			if strings.Contains(e.Message, m) {
				return ErrNotSupported
			}
		}
		if strings.HasSuffix(e.Op, "qdisc") && strings.Contains(e.Message, oldQdiscKindMessage) {
			return ErrNotSupported
		}
		if e.Errno == syscall.EOPNOTSUPP {
			return ErrNotSupported
		}
		return ErrNotFound
	case syscall.ENODEV:
		return ErrNotFound
	case syscall.EEXIST:
		return ErrConflict
	}
	return nil
}

func wrapOpError(op string, id FilterID, err error) error {
	if err == nil {
		return nil
	}
	oe := &OpError{Op: op, ID: id, Err: err}
	var nle *netlink.OpError
	if errors.As(err, &nle) {
		oe.Message = nle.Message
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		oe.Errno = errno
	}
	return oe
}
