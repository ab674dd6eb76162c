// SPDX-License-Identifier: Apache-2.0

package ovstest

import (
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestIntegrationDBStartStop(t *testing.T) {
	var pid int
	var dir string
	t.Run("run", func(t *testing.T) {
		db := StartDB(t)
		pid, dir = db.PID(), db.Dir
		if pid == 0 {
			t.Fatal("ovsdb-server has no PID")
		}
		db.Vsctl(t, "init")
		db.Vsctl(t, "add-br", "br0")
		if got := db.Vsctl(t, "list-br"); got != "br0" {
			t.Fatalf("list-br = %q, want br0", got)
		}
		if v := db.Appctl(t, "version"); !strings.Contains(v, "ovsdb-server") {
			t.Fatalf("appctl version = %q", v)
		}
	})
	// The subtest's cleanup has run: the server must be gone.
	if err := syscall.Kill(pid, 0); err != syscall.ESRCH {
		t.Fatalf("ovsdb-server pid %d still exists after cleanup (kill 0: %v)", pid, err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("temporary directory %s survived cleanup: %v", dir, err)
	}
}

func TestIntegrationDBKillRestart(t *testing.T) {
	db := StartDB(t)
	db.Vsctl(t, "init")
	db.Vsctl(t, "add-br", "br0")
	old := db.PID()
	db.Kill(t)
	if db.PID() != 0 {
		t.Fatal("PID() should be 0 after Kill")
	}
	if _, err := tryRun(nil, "ovs-vsctl", "--db="+db.Endpoint(), "--no-wait", "--timeout=2", "list-br"); err == nil {
		t.Fatal("ovs-vsctl succeeded against a killed server")
	}
	db.Restart(t)
	if db.PID() == 0 || db.PID() == old {
		t.Fatalf("Restart: PID %d (was %d)", db.PID(), old)
	}
	if got := db.Vsctl(t, "list-br"); got != "br0" {
		t.Fatalf("after restart list-br = %q, want br0 (data lost?)", got)
	}
}

// TestIntegrationSwitchTraffic starts a switch with two hosts on one bridge
// and checks that ping and TCP both pass through the userspace datapath.
func TestIntegrationSwitchTraffic(t *testing.T) {
	sw := StartSwitch(t)
	sw.AddBridge(t, "br0")
	a := sw.AddHost(t, "br0", "10.11.0.1/24", HostOptions{Port: "pf0vf0"})
	b := sw.AddHost(t, "br0", "10.11.0.2/24", HostOptions{Port: "pf0vf1"})
	a.Ping(t, "10.11.0.2", 10*time.Second)
	b.Ping(t, "10.11.0.1", 10*time.Second)

	// TCP needs TX checksum offload off; this is what proves AddHost did it.
	// A tiny server answers one connection with a fixed string.
	srv := startTCPEcho(t, b, "10.11.0.2", "7777")
	defer srv()
	got := a.Exec(t, "bash", "-c", "exec 3<>/dev/tcp/10.11.0.2/7777; cat <&3")
	if got != "hello from b" {
		t.Fatalf("TCP through the switch: got %q", got)
	}

	flows := sw.Appctl(t, "dpctl/dump-flows")
	if !strings.Contains(flows, "in_port(") {
		t.Fatalf("no datapath flows after traffic:\n%s", flows)
	}
	ports := sw.Ofctl(t, "show", "br0")
	for _, p := range []string{"pf0vf0", "pf0vf1"} {
		if !strings.Contains(ports, "("+p+")") {
			t.Fatalf("ovs-ofctl show br0 lacks %s:\n%s", p, ports)
		}
	}
}

// TestIntegrationHarnessLeavesNothing runs the whole harness twice and checks
// that nothing is left: no process, namespace or link.
func TestIntegrationHarnessLeavesNothing(t *testing.T) {
	for i := range 2 {
		var pids []int
		var nss []string
		ok := t.Run("round", func(t *testing.T) {
			sw := StartSwitch(t)
			sw.AddBridge(t, "br0")
			a := sw.AddHost(t, "br0", "10.12.0.1/24")
			b := sw.AddHost(t, "br0", "10.12.0.2/24")
			a.Ping(t, "10.12.0.2", 10*time.Second)
			pids = append(pids, sw.PID(), sw.DB.PID())
			nss = append(nss, sw.Netns, a.Netns, b.Netns)
		})
		if !ok {
			t.Fatalf("round %d failed", i)
		}
		for _, pid := range pids {
			if err := syscall.Kill(pid, 0); err != syscall.ESRCH {
				t.Errorf("round %d: pid %d still exists", i, pid)
			}
		}
		for _, ns := range nss {
			if _, err := os.Stat("/run/netns/" + ns); !os.IsNotExist(err) {
				t.Errorf("round %d: namespace %s still exists", i, ns)
			}
		}
		left, err := Leftovers()
		if err != nil {
			t.Fatal(err)
		}
		if len(left) > 0 {
			t.Errorf("round %d: left behind: %v", i, left)
		}
	}
}

// startTCPEcho serves one TCP connection on addr:port inside h's namespace,
// answering with "hello from b". It returns a function that waits for it.
func startTCPEcho(t *testing.T, h *Host, addr, port string) func() {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		_, err := h.TryExec("timeout", "20", "python3", "-c",
			`import socket
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("`+addr+`", `+port+`)); s.listen(1)
c,_=s.accept(); c.sendall(b"hello from b"); c.close()`)
		done <- err
	}()
	// Wait until the server listens.
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		out, _ := h.TryExec("ss", "-ltn")
		if strings.Contains(out, addr+":"+port) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	return func() {
		if err := <-done; err != nil {
			t.Errorf("tcp server: %v", err)
		}
	}
}
