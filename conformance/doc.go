// Package conformance holds the suite every offload backend must pass:
// configure, plug representors, verify a known dump, and switch from one
// backend to another and back on a real ovsdb-server, leaving nothing stale.
// It has no code outside its test.
package conformance
