// SPDX-License-Identifier: Apache-2.0

// Package docalib reads the device and representor inventory of NVIDIA's
// DOCA runtime, which it loads at run time with dlopen. Nothing from NVIDIA's
// SDK is needed to build it: the package declares the few C functions it
// calls, from DOCA's documented API (doca_dev.h, doca_error.h,
// doca_version.h), and looks each one up with dlsym.
//
// It is the only package of the project that imports "C". Built without cgo,
// or run where libdoca_common is absent, every call returns an error that
// matches ErrNotSupported and says what is missing.
//
// Ownership of C memory is explicit: every list DOCA creates is destroyed,
// and every device it opens is closed, inside the same C call that copies
// what Go needs into Go memory. No C pointer outlives a call.
//
// Optional functions (representor host, PF and VF indexes, which older DOCA
// releases lack) are looked up one by one; Lib.Missing names those absent.
//
// The tests load a stand-in runtime (testdata/standin) built from this
// repository's own C source with the machine's C compiler, through the same
// dlopen path as production. Real DOCA is not available on the machines that
// build this project.
package docalib
