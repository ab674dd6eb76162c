// SPDX-License-Identifier: Apache-2.0

//go:build !cgo || !linux

package docalib

import "fmt"

// Lib is a loaded DOCA runtime. Without cgo it can never be loaded.
type Lib struct{}

var errNoCgo = fmt.Errorf("%w: built without cgo (CGO_ENABLED=0), so the DOCA runtime cannot be loaded", ErrNotSupported)

// Open always fails without cgo; the error matches ErrNotSupported.
func Open(path string) (*Lib, error) { return nil, errNoCgo }

// Path returns "".
func (l *Lib) Path() string { return "" }

// Missing returns nil.
func (l *Lib) Missing() []string { return nil }

// Close does nothing.
func (l *Lib) Close() error { return nil }

// Version fails without cgo.
func (l *Lib) Version() (string, error) { return "", errNoCgo }

// Devices fails without cgo.
func (l *Lib) Devices(Filter) ([]Device, error) { return nil, errNoCgo }

// DeviceList fails without cgo.
func (l *Lib) DeviceList() ([]Device, error) { return nil, errNoCgo }

func (l *Lib) outstanding() int { return -1 }
