// SPDX-License-Identifier: Apache-2.0

package kernellane

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// MinOVSUptime is how long the guest must have been up before ovs-vswitchd
// starts. Debian's OVS 3.1.0 counts zero CPUs while CLOCK_MONOTONIC is below
// 10 s (fixed in 3.1.1) and then runs without upcall handlers, losing every
// upcall; a VM reaches userspace well before that.
const MinOVSUptime = 11 * time.Second

// ParseUptime reads the first field of /proc/uptime ("12.34 20.11").
func ParseUptime(s string) (time.Duration, error) {
	f := strings.Fields(s)
	if len(f) == 0 {
		return 0, fmt.Errorf("kernellane: empty /proc/uptime")
	}
	secs, err := strconv.ParseFloat(f[0], 64)
	if err != nil || secs < 0 {
		return 0, fmt.Errorf("kernellane: /proc/uptime %q: not a number of seconds", f[0])
	}
	return time.Duration(secs * float64(time.Second)), nil
}

// Uptime returns how long the system has been up.
func Uptime() (time.Duration, error) {
	b, err := os.ReadFile("/proc/uptime")
	if err != nil {
		return 0, fmt.Errorf("kernellane: %w", err)
	}
	return ParseUptime(string(b))
}

// WaitUptime returns once the system has been up for at least d.
func WaitUptime(ctx context.Context, d time.Duration) error {
	for {
		up, err := Uptime()
		if err != nil {
			return err
		}
		if up >= d {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("kernellane: waiting for uptime %v: %w", d, ctx.Err())
		case <-time.After(min(d-up, 200*time.Millisecond)):
		}
	}
}
