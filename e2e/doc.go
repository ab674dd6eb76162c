// SPDX-License-Identifier: Apache-2.0

// Package e2e holds the project's end-to-end test: the seed guide's DPU
// setup done by the library on two emulated DPU chassis with real OVS and
// OVN daemons, pods plugged by the library, traffic between them, and every
// datapath flow verified. It has no code of its own outside the test.
package e2e
