// SPDX-License-Identifier: Apache-2.0

// Package conformance runs the conformance suite of offload/offloadtest on
// the project's tc and doca backends: configure, plug representors, verify
// a known dump, and switch from one backend to another and back on a real
// ovsdb-server, leaving nothing stale. It has no code outside its test; a
// third-party backend runs the same suite with offloadtest.Run.
package conformance
