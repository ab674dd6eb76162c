// SPDX-License-Identifier: Apache-2.0

package kernellane_test

import (
	"fmt"
	"strings"

	"github.com/ovsoffload/ovsoffload/internal/kernellane"
)

// The lane reads each test binary's -test.v output and refuses a run in
// which a test skipped: inside the guest every prerequisite is there.
func ExampleCheck() {
	out := `=== RUN   TestKernelModules
--- PASS: TestKernelModules (0.41s)
=== RUN   TestKernelNetdevsim
--- SKIP: TestKernelNetdevsim (0.00s)
`
	results, _ := kernellane.ParseTestOutput(strings.NewReader(out))
	for _, r := range results {
		fmt.Println(r.Status, r.Name, r.Elapsed)
	}
	fmt.Println(kernellane.Check("internal_kernellane", 0, results))
	// Output:
	// PASS TestKernelModules 410ms
	// SKIP TestKernelNetdevsim 0s
	// kernel lane: internal_kernellane: skipped: TestKernelNetdevsim
}
