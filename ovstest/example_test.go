// SPDX-License-Identifier: Apache-2.0

package ovstest_test

import (
	"testing"
	"time"

	"github.com/ovsoffload/ovsoffload/ovstest"
)

// A test in another repository starts a switch of its own, plugs two hosts
// into a bridge and checks they reach each other. Everything is torn down
// when the test ends.
func ExampleStartSwitch() {
	TestTwoHosts := func(t *testing.T) {
		sw := ovstest.StartSwitch(t)
		sw.AddBridge(t, "br0")
		a := sw.AddHost(t, "br0", "10.0.0.1/24", ovstest.HostOptions{Port: "pf0vf0"})
		sw.AddHost(t, "br0", "10.0.0.2/24", ovstest.HostOptions{Port: "pf0vf1"})
		a.Ping(t, "10.0.0.2", 10*time.Second)
		t.Log(sw.Appctl(t, "dpctl/dump-flows", "-m"))
	}
	_ = TestTwoHosts
}
