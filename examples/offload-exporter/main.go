// SPDX-License-Identifier: Apache-2.0

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
	interval := fs.Duration("interval", 30*time.Second, "scan this often (each wait varies by up to a tenth at random)")
	minInterval := fs.Duration("min-interval", 5*time.Second, "a scrape finding the last scan older than this starts one early (it does not wait for it)")
	timeout := fs.Duration("timeout", 30*time.Second, "give up a scan (and connecting) after this long")
	readTimeout := fs.Duration("read-timeout", 10*time.Second, "HTTP: close a connection whose request takes longer to arrive")
	writeTimeout := fs.Duration("write-timeout", 30*time.Second, "HTTP: close a connection whose response takes longer to send")
	idleTimeout := fs.Duration("idle-timeout", 60*time.Second, "HTTP: close a keep-alive connection idle this long")
	once := fs.Bool("once", false, "scan once, print the metrics to stdout and exit")
	perFlow := fs.Bool("per-flow", false, "also export each flow's hardware and software packets (one series per flow)")
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
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"interval", *interval}, {"timeout", *timeout}, {"read-timeout", *readTimeout}, {"write-timeout", *writeTimeout}, {"idle-timeout", *idleTimeout}} {
		if d.v <= 0 {
			logf("--%s %v: must be > 0", d.name, d.v)
			return 2
		}
	}
	if *minInterval < 0 {
		logf("--min-interval %v: must be >= 0", *minInterval)
		return 2
	}
	if err := node.Check(); err != nil {
		logf("%v", err)
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
	e := &exporter{backend: s.Backend, node: s.Node, minInterval: *minInterval, timeout: *timeout, now: time.Now,
		kick: make(chan struct{}, 1), perFlow: *perFlow}
	reg := prometheus.NewRegistry()
	reg.MustRegister(e)
	if *once {
		scanErr := e.scan(ctx)
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
	mux.Handle("/metrics", e.handler(reg))
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: *readTimeout,
		ReadTimeout:       *readTimeout,
		WriteTimeout:      *writeTimeout,
		IdleTimeout:       *idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
	}
	logf("backend %s (%s); serving http://%s/metrics", s.Backend.Name(), s.Why, ln.Addr())
	ctx, cancelAll := context.WithCancel(ctx)
	defer cancelAll()
	scans := make(chan struct{})
	go func() {
		defer close(scans)
		e.run(ctx, *interval, *interval/10, logf)
	}()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	err = srv.Serve(ln)
	cancelAll()
	<-scans
	if !errors.Is(err, http.ErrServerClosed) {
		logf("%v", err)
		return 2
	}
	return 0
}

// maxHeaderBytes bounds a request's header: a scrape sends a few hundred
// bytes.
const maxHeaderBytes = 16 << 10

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
