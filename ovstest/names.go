// SPDX-License-Identifier: Apache-2.0

package ovstest

import (
	"crypto/rand"
	"encoding/hex"
)

// Prefix starts the name of every network namespace this package creates,
// so leftovers can be recognised (and LeakCheck can look for them).
const Prefix = "ovst"

// uniqueID returns a short random hexadecimal identifier.
func uniqueID() string {
	var b [3]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on Linux
	}
	return hex.EncodeToString(b[:])
}
