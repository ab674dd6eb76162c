// SPDX-License-Identifier: Apache-2.0

// Package appctl is a client for the control socket of Open vSwitch's
// daemons (ovs-vswitchd, ovsdb-server, ovn-controller): the unixctl
// JSON-RPC protocol that ovs-appctl speaks, without running ovs-appctl.
//
// Dial connects to a socket (FindSocket finds it from the daemon's pid file
// as ovs-appctl -t does); Call runs one command and returns its text. On top
// of it, vlog helpers read and set log levels, and a Window raises some
// modules to debug for a bounded time and always puts the exact previous
// levels back. CallStream hands a long reply to a writer as it arrives
// (package dpflow streams dpctl/dump-flows through it).
//
// Typed results, each with a Parse function for a reply read elsewhere and
// a *ParseError naming the line that does not read: Version (and
// WaitReady, the readiness check), DatapathShow (dpctl/show [-s]),
// DPFeatures (dpif/show-dp-features), UpcallShow, Coverage, Memory,
// FDBAdd and Trace (ofproto/trace). Any other command stays callable as
// text with Call.
package appctl
