// SPDX-License-Identifier: Apache-2.0

//go:build !cgo || !linux

package docalib

import (
	"errors"
	"testing"
)

func TestWithoutCgoEverythingIsNotSupported(t *testing.T) {
	if _, err := Open(""); !errors.Is(err, ErrNotSupported) {
		t.Fatalf("Open: %v", err)
	}
	var l Lib
	if _, err := l.Devices(FilterNet); !errors.Is(err, ErrNotSupported) {
		t.Fatalf("Devices: %v", err)
	}
	if _, err := l.Version(); !errors.Is(err, ErrNotSupported) {
		t.Fatalf("Version: %v", err)
	}
}
