// Package appctl is a client for the control socket of Open vSwitch's
// daemons (ovs-vswitchd, ovsdb-server, ovn-controller): the unixctl
// JSON-RPC protocol that ovs-appctl speaks, without running ovs-appctl.
//
// Dial connects to a socket (FindSocket finds it from the daemon's pid file
// as ovs-appctl -t does); Call runs one command and returns its text. On top
// of it, vlog helpers read and set log levels, and a Window raises some
// modules to debug for a bounded time and always puts the exact previous
// levels back.
package appctl
