// SPDX-License-Identifier: Apache-2.0

// Package kernellane is the Go side of the kernel lane (`make kernel-lane`):
// Debian's stock kernel booted under QEMU, where OVS runs with the kernel
// datapath and hw-offload, TC flower filters can be installed, and an emulated
// eswitch (netdevsim, patched to accept flower rules) gives switchdev
// representors that report in_hw.
//
// It has two halves:
//
//   - Reading a lane run: ParseTestOutput turns the -test.v output of a test
//     binary into per-test results and Check says whether a run proves
//     anything (no failure, no skip, at least one test). The lanereport
//     command prints the summary of a run from the results the guest wrote.
//   - Fixtures for TestKernel* tests inside the guest: LoadModules, StartOVS
//     (ovsdb-server and ovs-vswitchd on the kernel datapath, configured before
//     ovs-vswitchd starts, never before the guest's uptime reaches
//     MinOVSUptime), AddVethHost (a network namespace plugged into the root
//     namespace by a veth pair) and NewNetdevsim (an SR-IOV netdevsim device in
//     switchdev mode with its representors).
//
// Tests that need the guest start with testenv.RequireKernelLane, which skips
// them on the host; the lane fails if any of them skips inside the guest.
//
// What the lane cannot prove: that real hardware accepts a rule. The emulated
// eswitch accepts every flower rule except those the test tells it to refuse
// (and ct_state +new, which it refuses as mlx5 does), and its hardware
// counters are numbers the test sets (Netdevsim.RefuseFlower, SetHWStats);
// it proves the control path, not the silicon.
package kernellane
