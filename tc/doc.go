// SPDX-License-Identifier: Apache-2.0

// Package tc programs and dumps kernel TC flower filters, the datapath OVS
// uses for hardware offload (other_config:hw-offload=true).
//
// A FilterSpec (device, parent, chain, prio, protocol, handle, skip_hw /
// skip_sw, flower keys in Match, Actions) is a plain value; Client.AddFilter,
// ReplaceFilter and DeleteFilter send it, and AddFilters / ReplaceFilters send
// many, 64 requests per system call, reporting refusals per filter in a
// *BatchError. Qdiscs (EnsureQdisc) go through github.com/florianl/go-tc;
// filters are encoded by this project, because go-tc v0.4.8 has no IPv6
// flower keys, pedit or ct labels: the keys, flags and actions and their
// codec live in the sub-package tc/flower, one file per key and per action
// kind, and this package re-exports their types (Match, Action, Flags, ...)
// under the same names. Client.Filters dumps a device's
// filters as typed Filter values with what a verification needs: the
// kernel's in_hw / not_in_hw flags, in_hw_count, chain, prio, handle, keys,
// and every action with its kind, cookie and counters. The decoder keeps
// attributes and actions it does not know as opaque bytes instead of failing
// the dump. Client.FiltersTerse asks the kernel for its terse dump (flags,
// cookies and counters, no keys), enough to correlate filters with flows.
// Filter.Stats splits a filter's counters into what the hardware counted
// (the kernel's TCA_STATS_BASIC_HW) and what ran in software.
//
// OVS puts a flow's UFID in the action cookie (lib/netdev-offload-tc.c);
// UFID is dpflow.UFID, the module's one UFID type; ParseUFID, UFIDCookie,
// UFIDFromCookie and Filter.UFID convert between the "ufid:..." text of
// ovs-appctl dpctl/dump-flows, a dumped flow's UFID and the cookie bytes.
//
// Errors are *OpError values carrying the kernel's extended ack message,
// matched with errors.Is against ErrNotFound, ErrNotSupported (cls_flower,
// the qdisc or an action module is missing, as the kernel says) and
// ErrConflict.
package tc
