package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"

	"github.com/ovsoffload/ovsoffload/examples/internal/nodeflags"
	"github.com/ovsoffload/ovsoffload/internal/textsafe"
)

func main() {
	// Log lines carry names from OVSDB and dumps: escaped for the terminal.
	stderr := textsafe.NewWriter(os.Stderr)
	code := run(os.Args[1:], os.Stdout, stderr)
	stderr.Flush()
	os.Exit(code)
}

// run serves until SIGINT or SIGTERM.
func run(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return serve(ctx, args, stdout, stderr)
}

// serve is run with the context that ends it.
func serve(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("offload-exporter", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var node nodeflags.Flags
	node.Register(fs)
	listen := fs.String("listen", "127.0.0.1:9476", "serve /metrics on this `address`")
	interval := fs.Duration("interval", 30*time.Second, "scan this often")
	minInterval := fs.Duration("min-interval", 5*time.Second, "on a scrape, scan again when the last scan is older than this")
	timeout := fs.Duration("timeout", 30*time.Second, "give up a scan (and connecting) after this long")
	once := fs.Bool("once", false, "scan once, print the metrics to stdout and exit")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	logf := func(format string, a ...any) { fmt.Fprintf(stderr, "offload-exporter: "+format+"\n", a...) }
	if fs.NArg() > 0 {
		logf("unexpected arguments %q", fs.Args())
		return 2
	}
	if *interval <= 0 || *minInterval < 0 || *timeout <= 0 {
		logf("--interval and --timeout must be > 0, --min-interval >= 0")
		return 2
	}

	openCtx, cancel := context.WithTimeout(ctx, *timeout)
	s, err := node.Open(openCtx)
	cancel()
	if err != nil {
		logf("%v", err)
		return 2
	}
	defer s.Close()
	for _, w := range s.Warnings {
		logf("warning: %s", w)
	}
	e := &exporter{backend: s.Backend, node: s.Node, minInterval: *minInterval, now: time.Now}
	reg := prometheus.NewRegistry()
	reg.MustRegister(e)
	scan := func(ctx context.Context) error {
		ctx, cancel := context.WithTimeout(ctx, *timeout)
		defer cancel()
		return e.scan(ctx)
	}

	if *once {
		scanErr := scan(ctx)
		if err := writeText(stdout, reg); err != nil {
			logf("%v", err)
			return 2
		}
		if scanErr != nil {
			logf("%v", scanErr)
			return 2
		}
		return 0
	}

	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		logf("%v", err)
		return 2
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", e.handler(reg, logf))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	logf("backend %s (%s); serving http://%s/metrics", s.Backend.Name(), s.Why, ln.Addr())
	go func() {
		tick := time.NewTicker(*interval)
		defer tick.Stop()
		for {
			if err := scan(ctx); err != nil {
				logf("%v", err)
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		logf("%v", err)
		return 2
	}
	return 0
}

// writeText prints the registry's metrics in the text exposition format.
func writeText(w io.Writer, g prometheus.Gatherer) error {
	mfs, err := g.Gather()
	if err != nil {
		return err
	}
	enc := expfmt.NewEncoder(w, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, mf := range mfs {
		if err := enc.Encode(mf); err != nil {
			return err
		}
	}
	return nil
}
