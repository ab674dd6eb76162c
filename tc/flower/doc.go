// SPDX-License-Identifier: Apache-2.0

// Package flower is the codec of TC flower filters: the keys a filter
// matches (Match), its classifier flags (Flags) and its actions (Action),
// each written to netlink, read back from dumps and validated in one place.
//
// Each flower key has its own file (key_eth.go, key_ip.go, key_ct.go, ...)
// holding its attributes, encoder, decoder and check; each action kind has
// its own (act_mirred.go, act_ct.go, ...), as google/nftables keeps one
// expression per file. Adding a key or a kind touches its file and the one
// list that names them (keyList, kinds).
//
// AppendOptions writes a filter's TCA_OPTIONS; DecodeOptions reads them
// from a dump, keeping attributes and action kinds it does not know as
// opaque bytes instead of failing. Match.Validate and Action.Validate check
// a spec before anything is sent.
//
// This package only encodes and decodes: package
// github.com/ovsoffload/ovsoffload/tc sends filters to the kernel, dumps
// them and verifies OVS flows with them, and re-exports these types under
// the same names.
package flower
