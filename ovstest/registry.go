// SPDX-License-Identifier: Apache-2.0

package ovstest

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"syscall"
)

// registry remembers everything this process created, so Leftovers can prove
// that cleanup removed it.
var registry struct {
	sync.Mutex
	namespaces map[string]bool // network namespace names
	pids       map[int]string  // daemon PID -> program name
	links      map[string]bool // link names created while in the root namespace's view
}

func remember(kind string, key any, value string) {
	registry.Lock()
	defer registry.Unlock()
	switch kind {
	case "netns":
		if registry.namespaces == nil {
			registry.namespaces = map[string]bool{}
		}
		registry.namespaces[key.(string)] = true
	case "pid":
		if registry.pids == nil {
			registry.pids = map[int]string{}
		}
		registry.pids[key.(int)] = value
	case "link":
		if registry.links == nil {
			registry.links = map[string]bool{}
		}
		registry.links[key.(string)] = true
	}
}

// Leftovers reports anything this process started or created through the
// package that still exists: daemons still running, network namespaces
// still present, and links that leaked into the root namespace. An empty
// result after every test's cleanup has run proves the harness cleans up.
func Leftovers() ([]string, error) {
	registry.Lock()
	defer registry.Unlock()
	var out []string
	for name := range registry.namespaces {
		if _, err := os.Stat(filepath.Join("/run/netns", name)); err == nil {
			out = append(out, "network namespace "+name)
		} else if !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
	}
	for pid, prog := range registry.pids {
		if err := syscall.Kill(pid, 0); err == nil || errors.Is(err, syscall.EPERM) {
			// The PID exists; it is ours only if it still runs the same program.
			cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
			if bytes.Contains(cmdline, []byte(prog)) {
				out = append(out, fmt.Sprintf("process %d (%s)", pid, prog))
			}
		}
	}
	ifaces, err := net.Interfaces()
	if err != nil {
		return nil, err
	}
	for _, ifc := range ifaces {
		if registry.links[ifc.Name] {
			out = append(out, "link "+ifc.Name+" in the root namespace")
		}
	}
	sort.Strings(out)
	return out, nil
}
