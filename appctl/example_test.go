// SPDX-License-Identifier: Apache-2.0

package appctl_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/ovsoffload/ovsoffload/appctl"
)

// Example raises ovs-vswitchd's offload modules to dbg in its log file for
// ten seconds, then puts the previous levels back.
func Example() {
	path, err := appctl.FindSocket("", "ovs-vswitchd")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	c, err := appctl.Dial(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	defer c.Close()
	w := appctl.Window{Modules: []string{"dpif_netlink", "netdev_offload_tc", "tc"}, Duration: 10 * time.Second}
	changed, err := w.Run(context.Background(), c, nil)
	fmt.Println(changed, err)
}

func ExampleParseVlogList() {
	levels, err := appctl.ParseVlogList(`                 console    syslog    file
                 -------    ------    ------
dpif_netlink       OFF       ERR       INFO
tc                 OFF       ERR       DBG
`)
	if err != nil {
		panic(err)
	}
	fmt.Println(levels.Level("dpif_netlink", appctl.DestFile), levels.Level("tc", appctl.DestFile))
	// Output: info dbg
}

func ExampleParseDPFeatures() {
	f, err := appctl.ParseDPFeatures("Recirc: Yes\nCT orig tuple for IPv6: No\nMax MPLS depth: 3\n")
	if err != nil {
		panic(err)
	}
	recirc, _ := f.Bool(appctl.FeatureRecirc)
	tuple6, _ := f.Bool(appctl.FeatureCTOrigTuple6)
	depth, _ := f.Int(appctl.FeatureMaxMPLSDepth)
	fmt.Println(recirc, tuple6, depth)
	// Output: true false 3
}
