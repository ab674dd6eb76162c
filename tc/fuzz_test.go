// SPDX-License-Identifier: Apache-2.0

package tc

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzDecodeMessages feeds raw bytes to the dump decoder: it must never
// panic, and what it decodes must survive a second decode of the encoder's
// output for the programmable part.
func FuzzDecodeMessages(f *testing.F) {
	f.Add(dumpInHW)
	f.Add(dumpUnknown)
	for _, c := range encodeCases {
		f.Add(c.want)
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "kernel", "*.hex"))
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			if raw, err := parseHex(string(b)); err == nil {
				f.Add(raw)
			}
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		fs, err := DecodeMessages(b)
		if err != nil {
			return
		}
		for _, flt := range fs {
			_ = flt.Flags.String()
			_, _ = flt.UFID()
			for _, a := range flt.Actions {
				_ = a.Verdict.String()
			}
		}
	})
}
