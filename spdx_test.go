// SPDX-License-Identifier: Apache-2.0

package ovsoffload_test

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// spdxLine is the first line of every Go file of the module.
const spdxLine = "// SPDX-License-Identifier: Apache-2.0\n"

// TestSPDXHeaders checks that every .go file of the module (testdata and
// hidden directories aside) starts with the SPDX license line. Generated
// files get it from ovsdb/internal/vswitchmodel/fixheader.go.
func TestSPDXHeaders(t *testing.T) {
	var missing []string
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if !bytes.HasPrefix(b, []byte(spdxLine)) {
			missing = append(missing, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(missing) > 0 {
		t.Errorf("%d Go files do not start with %q:\n%s", len(missing), strings.TrimSpace(spdxLine), strings.Join(missing, "\n"))
	}
}
