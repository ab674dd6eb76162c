// SPDX-License-Identifier: Apache-2.0

package nodeflags

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/ovsoffload/ovsoffload/dpflow"
	"github.com/ovsoffload/ovsoffload/eswitch"
	"github.com/ovsoffload/ovsoffload/offload"
	"github.com/ovsoffload/ovsoffload/ovsdb"

	_ "github.com/ovsoffload/ovsoffload/doca" // registers the "doca" backend
	_ "github.com/ovsoffload/ovsoffload/tc"   // registers the "tc" backend
)

// DefaultDB is where Debian's and Red Hat's packages put the database socket.
const DefaultDB = "unix:/var/run/openvswitch/db.sock"

// Backends are the values --backend accepts.
var Backends = []string{"auto", "tc", "doca", "none"}

// Flags say which node to look at and how.
type Flags struct {
	// DB is the Open_vSwitch database endpoint (--db).
	DB string
	// Target is ovs-vswitchd's control socket or daemon name, as for
	// ovs-appctl -t (--target); empty means ovs-vswitchd, found from its
	// pid file in $OVS_RUNDIR or /var/run/openvswitch. No ovs-appctl is run.
	Target string
	// Backend is auto, tc, doca or none (--backend).
	Backend string
	// FromFile, when set, is a saved dpctl/dump-flows -m --names output read
	// instead of asking ovs-vswitchd (--from-file).
	FromFile string
	// MaxLine is the longest line of FromFile accepted, in bytes
	// (--max-line); 0 means dpflow.DefaultMaxLineLen.
	MaxLine int
	// DumpType is the type= the --from-file dump was taken with (--type:
	// offloaded or ovs), for a dump taken without -m; "" when not known.
	DumpType string
	// Eswitch says whether to read representors and their offload features
	// from this machine's eswitch (--eswitch).
	Eswitch bool
}

// Register adds the flags to fs.
func (f *Flags) Register(fs *flag.FlagSet) {
	fs.StringVar(&f.DB, "db", DefaultDB, "Open_vSwitch database `endpoint` (unix:PATH, tcp:HOST:PORT)")
	fs.StringVar(&f.Target, "target", "", "ovs-vswitchd control `socket` or daemon name, as for ovs-appctl -t (default: ovs-vswitchd's, from its pid file)")
	fs.StringVar(&f.Backend, "backend", "auto", "offload backend: auto, tc, doca or none")
	fs.StringVar(&f.FromFile, "from-file", "", "read a saved `dump` of ovs-appctl dpctl/dump-flows -m --names instead of asking ovs-vswitchd")
	fs.StringVar(&f.DumpType, "type", "", "with --from-file: the `type` the dump was taken with (dpctl/dump-flows type=offloaded or type=ovs), for a dump without -m, whose flows are otherwise unverified")
	fs.IntVar(&f.MaxLine, "max-line", dpflow.DefaultMaxLineLen, "longest line of the --from-file dump, in `bytes` (0: the default): a longer one is an error")
	fs.BoolVar(&f.Eswitch, "eswitch", true, "read representors, hw-tc-offload and eswitch mode from this machine's eswitch")
}

// Check validates the flags before anything is contacted: a known
// backend, a database, and not both --target and --from-file.
func (f *Flags) Check() error {
	switch f.Backend {
	case "auto", "tc", "doca", "none":
	default:
		return fmt.Errorf("--backend %q: want one of %v", f.Backend, Backends)
	}
	if f.DB == "" {
		return errors.New("--db is empty")
	}
	if f.Target != "" && f.FromFile != "" {
		// --from-file replaces asking ovs-vswitchd: a --target would be
		// ignored silently.
		return fmt.Errorf("--target %q and --from-file %q contradict each other: the flows come from the file, not from ovs-vswitchd", f.Target, f.FromFile)
	}
	switch f.DumpType {
	case "", offload.DumpTypeOffloaded, offload.DumpTypeOVS:
	default:
		return fmt.Errorf("--type %q: want %s or %s (the type= of the dump)", f.DumpType, offload.DumpTypeOffloaded, offload.DumpTypeOVS)
	}
	if f.DumpType != "" && f.FromFile == "" {
		return fmt.Errorf("--type %s describes a saved dump: it needs --from-file (a live dump is taken with -m)", f.DumpType)
	}
	if f.MaxLine < 0 {
		return fmt.Errorf("--max-line %d: want a positive number of bytes (0: the default, %d)", f.MaxLine, dpflow.DefaultMaxLineLen)
	}
	return nil
}

// Session is an open node: its database, the offload.Node backends verify,
// and the backend chosen.
type Session struct {
	// Node is what backends read: the database, the eswitch (or nil) and the
	// flow dump.
	Node *offload.Node
	// Backend is the backend the flags chose.
	Backend offload.Backend
	// Why says why the backend was chosen ("--backend tc", or what auto saw).
	Why string
	// Warnings are problems that did not stop the session (an eswitch that
	// cannot be read, so representor facts are missing).
	Warnings []string

	es *eswitch.Client
}

// Close releases the database connection and the eswitch sockets.
func (s *Session) Close() {
	if s.es != nil {
		_ = s.es.Close()
	}
	s.Node.DB.Close()
}

// Open dials the database, picks the backend and builds the Node.
func (f *Flags) Open(ctx context.Context) (*Session, error) {
	if err := f.Check(); err != nil {
		return nil, err
	}
	db, err := ovsdb.Dial(ctx, f.DB)
	if err != nil {
		return nil, fmt.Errorf("connecting to the Open_vSwitch database at %s: %w", f.DB, err)
	}
	s := &Session{Node: &offload.Node{DB: db, Target: f.Target}}
	if f.FromFile != "" {
		// Streamed: the backends hold one flow of the file at a time.
		s.Node.Scan = ScanFile(f.FromFile, f.MaxLine)
		s.Node.DumpType = f.DumpType
	}
	if s.Backend, s.Why, err = Backend(ctx, db, f.Backend); err != nil {
		db.Close()
		return nil, err
	}
	if f.Eswitch {
		s.es, err = eswitch.New(eswitch.Config{})
		if err == nil {
			_, err = s.es.Discover(ctx)
		}
		if err != nil {
			s.Warnings = append(s.Warnings, fmt.Sprintf("eswitch not read, representor facts skipped: %v", err))
			if s.es != nil {
				_ = s.es.Close()
				s.es = nil
			}
		}
		s.Node.Eswitch = s.es
	}
	return s, nil
}

// Choose returns the backend --backend auto picks for a node, and why:
// doca when OVS-DOCA reports itself initialised, tc when
// other_config:hw-offload is true, none otherwise.
func Choose(st ovsdb.Status, s ovsdb.OffloadSettings) (name, why string) {
	switch {
	case st.HasDOCA && st.DOCAInitialized:
		return "doca", "auto: OVS-DOCA reports doca_initialized=true"
	case s.HWOffload != nil && *s.HWOffload:
		return "tc", "auto: other_config:hw-offload=true and OVS-DOCA is not initialised"
	}
	return "none", "auto: other_config:hw-offload is not true"
}

// Backend builds the backend named by --backend ("auto" resolved with
// Choose against the node's database).
func Backend(ctx context.Context, db *ovsdb.Client, name string) (offload.Backend, string, error) {
	why := "--backend " + name
	if name == "auto" {
		st, err := db.Status(ctx)
		if err != nil {
			return nil, "", fmt.Errorf("reading ovs-vswitchd's status: %w", err)
		}
		settings, err := db.Offload(ctx)
		if err != nil {
			return nil, "", fmt.Errorf("reading the offload settings: %w", err)
		}
		name, why = Choose(st, settings)
	}
	b, err := offload.New(name, nil)
	if errors.Is(err, offload.ErrNotFound) {
		return nil, "", fmt.Errorf("backend %s (%s) is not built into this binary (registered: %v): %w",
			name, why, offload.Names(), err)
	}
	if err != nil {
		return nil, "", fmt.Errorf("backend %s: %w", name, err)
	}
	return b, why, nil
}

// ReadDump returns an offload.Node Dump function that reads a saved
// `ovs-appctl dpctl/dump-flows -m --names` output from path, each time it
// is called. "flow-dump from ..." header lines are skipped; a line that does
// not parse fails the whole dump with its *dpflow.ParseError.
func ReadDump(path string) func(context.Context) ([]*dpflow.Flow, error) {
	return func(ctx context.Context) ([]*dpflow.Flow, error) {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		flows, err := ScanDump(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return flows, nil
	}
}

// ScanFile returns an offload.Node Scan function that streams a saved
// `ovs-appctl dpctl/dump-flows -m --names` output from path, each time it is
// called, with lines of at most maxLine bytes (0: dpflow.DefaultMaxLineLen).
// It holds one line at a time: a dump of any size is read in bounded memory.
// A line that does not parse is yielded as a Flow whose Err is its
// *dpflow.ParseError (with the line number), so that one unreadable line
// costs its own verdict only; a read error or a line that is too long stops
// it with an error naming the file and the line, and so does yield's error.
func ScanFile(path string, maxLine int) func(context.Context, func(*dpflow.Flow) error) error {
	return func(ctx context.Context, yield func(*dpflow.Flow) error) error {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		sc := dpflow.NewScanner(f)
		sc.MaxLineLen = maxLine
		sc.KeepGoing = true
		for n := 0; sc.Scan(); n++ {
			if n%4096 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			fl := sc.Flow()
			if lerr := sc.LineErr(); lerr != nil {
				fl = &dpflow.Flow{Err: fmt.Errorf("%s: %w", path, lerr)}
			}
			if fl != nil {
				if err := yield(fl); err != nil {
					return err
				}
			}
		}
		if err := sc.Err(); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		return nil
	}
}

// ScanDump parses a dpctl/dump-flows output.
func ScanDump(r io.Reader) ([]*dpflow.Flow, error) {
	var flows []*dpflow.Flow
	sc := dpflow.NewScanner(r)
	for sc.Scan() {
		if _, ok := sc.Header(); ok {
			continue
		}
		flows = append(flows, sc.Flow().Clone())
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return flows, nil
}
