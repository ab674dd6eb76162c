// SPDX-License-Identifier: Apache-2.0

package nodeflags

import (
	"context"
	"errors"
	"flag"
	"strings"
	"testing"
	"time"

	"github.com/ovsoffload/ovsoffload/dpflow"
	"github.com/ovsoffload/ovsoffload/offload"
	"github.com/ovsoffload/ovsoffload/ovsdb"
	"github.com/ovsoffload/ovsoffload/ovstest"
)

func TestFlagsCheck(t *testing.T) {
	var f Flags
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	f.Register(fs)
	if err := fs.Parse(nil); err != nil {
		t.Fatal(err)
	}
	if f.DB != DefaultDB || f.Backend != "auto" || !f.Eswitch {
		t.Errorf("defaults %+v", f)
	}
	if err := f.Check(); err != nil {
		t.Error(err)
	}
	f.Backend = "dpdk"
	if err := f.Check(); err == nil || !strings.Contains(err.Error(), `"dpdk"`) {
		t.Errorf("bad backend: %v", err)
	}
}

func TestBackendOnInProcessDB(t *testing.T) {
	ep := ovstest.StartInProcessDB(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	db, err := ovsdb.Dial(ctx, ep)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	for _, name := range []string{"none", "doca"} {
		b, why, err := Backend(ctx, db, name)
		if err != nil || b.Name() != name || why != "--backend "+name {
			t.Errorf("%s: %v %q %v", name, b, why, err)
		}
	}
	b, why, err := Backend(ctx, db, "auto")
	if err != nil || b.Name() != "none" || !strings.HasPrefix(why, "auto:") {
		t.Errorf("auto on a fresh database: %v %q %v", b, why, err)
	}
	if _, _, err := Backend(ctx, db, "nosuch"); !errors.Is(err, offload.ErrNotFound) {
		t.Errorf("unknown backend: %v", err)
	}
}

func TestOpenFromFile(t *testing.T) {
	ep := ovstest.StartInProcessDB(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	f := Flags{DB: ep, Backend: "none", FromFile: "../../offload-check/testdata/doca.dump"}
	s, err := f.Open(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r, err := s.Backend.Verify(ctx, s.Node)
	if err != nil {
		t.Fatal(err)
	}
	if r.Totals.Flows != 4 || r.Totals.ByDP["doca"] != 2 || r.Totals.ByDP["ovs"] != 2 { // the partial flow is dp:ovs, as lib/dpctl.c prints it
		t.Errorf("totals %+v", r.Totals)
	}
}

func TestReadDumpParseError(t *testing.T) {
	_, err := ReadDump("../../offload-check/testdata/bad.dump")(context.Background())
	var pe *dpflow.ParseError
	if !errors.As(err, &pe) || pe.Line != 2 {
		t.Fatalf("want a *dpflow.ParseError on line 2, got %v", err)
	}
}

// Issue 13, defect 7: ScanFile streams (one reused Flow, never a slice),
// reports a bad line with its file and line, and bounds the line length.
func TestScanFile(t *testing.T) {
	var seen []*dpflow.Flow
	err := ScanFile("../../offload-check/testdata/doca.dump", 0)(context.Background(), func(f *dpflow.Flow) error {
		seen = append(seen, f)
		return nil
	})
	if err != nil || len(seen) != 4 {
		t.Fatalf("%d flows, %v", len(seen), err)
	}
	if seen[0] != seen[3] {
		t.Error("ScanFile does not reuse the Scanner's Flow: it is not streaming")
	}
	// Issue 17, item 3: a bad line is yielded as a Flow carrying its
	// *dpflow.ParseError (line 2, naming the file), and the scan goes on.
	var errs []error
	n := 0
	err = ScanFile("../../offload-check/testdata/bad.dump", 0)(context.Background(), func(f *dpflow.Flow) error {
		n++
		if f.Err != nil {
			errs = append(errs, f.Err)
		}
		return nil
	})
	var pe *dpflow.ParseError
	if err != nil || n != 2 || len(errs) != 1 || !errors.As(errs[0], &pe) || pe.Line != 2 || !strings.Contains(errs[0].Error(), "bad.dump") {
		t.Errorf("bad.dump: %v, %d flows, errors %v; want 2 flows, the second a *dpflow.ParseError on line 2 naming the file", err, n, errs)
	}
	err = ScanFile("../../offload-check/testdata/doca.dump", 100)(context.Background(), func(*dpflow.Flow) error { return nil })
	if !errors.Is(err, dpflow.ErrLineTooLong) || !strings.Contains(err.Error(), "line 2:") {
		t.Errorf("max 100: %v, want ErrLineTooLong at line 2 (the first flow, after the header)", err)
	}
	f := Flags{DB: "unix:/x", Backend: "none", MaxLine: -1}
	if err := f.Check(); err == nil || !strings.Contains(err.Error(), "--max-line") {
		t.Errorf("--max-line -1: %v", err)
	}
	for _, tc := range []struct {
		f    Flags
		want string
	}{
		{Flags{DB: "unix:/x", Backend: "none", DumpType: "hw", FromFile: "d"}, `--type "hw"`},
		{Flags{DB: "unix:/x", Backend: "none", DumpType: "offloaded"}, "needs --from-file"},
	} {
		if err := tc.f.Check(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %q", tc.f, err, tc.want)
		}
	}
	if err := (&Flags{DB: "unix:/x", Backend: "none", DumpType: "ovs", FromFile: "d"}).Check(); err != nil {
		t.Errorf("--type ovs --from-file: %v", err)
	}
}
