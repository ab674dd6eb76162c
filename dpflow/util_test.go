// SPDX-License-Identifier: Apache-2.0

package dpflow_test

import "os"

func writeFile(path, s string) error { return os.WriteFile(path, []byte(s), 0o644) }
