// SPDX-License-Identifier: Apache-2.0

package ovsdb

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/go-logr/logr"
	"github.com/ovn-kubernetes/libovsdb/cache"
	"github.com/ovn-kubernetes/libovsdb/client"
	"github.com/ovn-kubernetes/libovsdb/model"

	vs "github.com/ovsoffload/ovsoffload/ovsdb/internal/vswitchmodel"
)

// OwnerKey is the external_ids key holding the owner label of rows created
// by a Client configured WithOwner.
const OwnerKey = "ovsoffload-owner"

// Option configures Dial.
type Option func(*options) error

type options struct {
	tls     *tls.Config
	owner   string
	logger  *logr.Logger
	timeout time.Duration
	sync    time.Duration
}

// WithTLS sets the TLS configuration used for "ssl:" endpoints: the client
// certificate and the CA that signed the server's certificate.
func WithTLS(cfg *tls.Config) Option {
	return func(o *options) error { o.tls = cfg; return nil }
}

// WithOwner labels every bridge, port and interface this client creates
// with external_ids:ovsoffload-owner=owner, for GC.
func WithOwner(owner string) Option {
	return func(o *options) error {
		if owner == "" || strings.ContainsAny(owner, "\x00") {
			return invalid("owner", owner, "must be non-empty")
		}
		o.owner = owner
		return nil
	}
}

// WithLogger sends libovsdb's logs to l (they are discarded otherwise).
func WithLogger(l logr.Logger) Option {
	return func(o *options) error { o.logger = &l; return nil }
}

// WithReconnectTimeout bounds each reconnection attempt (default 5s). The
// client keeps retrying, with backoff, until Close.
func WithReconnectTimeout(d time.Duration) Option {
	return func(o *options) error {
		if d <= 0 {
			return invalid("reconnect timeout", d.String(), "must be positive")
		}
		o.timeout = d
		return nil
	}
}

// WithSyncTimeout bounds how long a write waits, after the server applied
// it, for the client's cache to show it (default 10s). Past it the write
// returns an error matching ErrCacheLag with Result.Changed set. The wait
// only runs that long when a concurrent writer changed the same rows again
// before this client saw its own update.
func WithSyncTimeout(d time.Duration) Option {
	return func(o *options) error {
		if d <= 0 {
			return invalid("sync timeout", d.String(), "must be positive")
		}
		o.sync = d
		return nil
	}
}

// Client is a connection to one ovsdb-server holding the Open_vSwitch
// database. It monitors only the tables and columns it needs, reconnects on
// its own, and is safe for concurrent use. While it reconnects, reads show
// the database as the lost connection last saw it, and writes wait for the
// connection (until their context ends).
type Client struct {
	ovs         *conns
	owner       string
	syncTimeout time.Duration
	note        notifier
}

// notifier wakes waiters on every cache change.
type notifier struct {
	mu sync.Mutex
	ch chan struct{}
}

func (n *notifier) wait() <-chan struct{} {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.ch == nil {
		n.ch = make(chan struct{})
	}
	return n.ch
}

func (n *notifier) poke() {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.ch != nil {
		close(n.ch)
	}
	n.ch = make(chan struct{})
}

// Dial connects to endpoint ("unix:/path", "tcp:host:port" or
// "ssl:host:port"), starts monitoring and returns when the cache holds the
// current contents of the database.
func Dial(ctx context.Context, endpoint string, opts ...Option) (*Client, error) {
	o := options{timeout: 5 * time.Second, sync: 10 * time.Second}
	for _, f := range opts {
		if err := f(&o); err != nil {
			return nil, err
		}
	}
	if err := validateEndpoint(endpoint); err != nil {
		return nil, err
	}
	if strings.HasPrefix(endpoint, "ssl:") && o.tls == nil {
		return nil, invalid("endpoint", endpoint, "ssl: needs WithTLS")
	}
	dbModel, err := vs.FullDatabaseModel()
	if err != nil {
		return nil, fmt.Errorf("ovsdb: model: %w", err)
	}
	logger := logr.Discard()
	if o.logger != nil {
		logger = *o.logger
	}
	// No client.WithReconnect: conns reconnects (see conns for why).
	copts := []client.Option{
		client.WithEndpoint(endpoint),
		client.WithLogger(&logger),
	}
	if o.tls != nil {
		copts = append(copts, client.WithTLSConfig(o.tls))
	}
	c := &Client{owner: o.owner, syncTimeout: o.sync}
	handler := &cache.EventHandlerFuncs{
		AddFunc:    func(string, model.Model) { c.note.poke() },
		UpdateFunc: func(string, model.Model, model.Model) { c.note.poke() },
		DeleteFunc: func(string, model.Model) { c.note.poke() },
	}
	dial := func(ctx context.Context) (*session, error) {
		return newSession(ctx, dbModel, copts, c.monitor, handler)
	}
	first, err := dial(ctx)
	if err != nil {
		return nil, fmt.Errorf("ovsdb: connect %s: %w", endpoint, err)
	}
	c.ovs = newConns(first, o.timeout, dial, c.note.poke)
	return c, nil
}

func validateEndpoint(ep string) error {
	scheme, rest, ok := strings.Cut(ep, ":")
	if !ok || rest == "" {
		return invalid("endpoint", ep, `want "unix:PATH", "tcp:HOST:PORT" or "ssl:HOST:PORT"`)
	}
	switch scheme {
	case "unix":
		return nil
	case "tcp", "ssl":
		if _, err := url.Parse(ep); err != nil {
			return invalid("endpoint", ep, "%v", err)
		}
		if i := strings.LastIndex(rest, ":"); i <= 0 || i == len(rest)-1 {
			return invalid("endpoint", ep, "want %s:HOST:PORT", scheme)
		}
		return nil
	}
	return invalid("endpoint", ep, "unknown scheme %q (want unix, tcp or ssl)", scheme)
}

// monitor lists the tables and columns the package reads.
func (c *Client) monitor(ovs client.Client) *client.Monitor {
	o := &vs.OpenvSwitch{}
	b := &vs.Bridge{}
	p := &vs.Port{}
	i := &vs.Interface{}
	q := &vs.QoS{}
	qu := &vs.Queue{}
	return ovs.NewMonitor(
		client.WithTable(o, &o.UUID, &o.Bridges, &o.ExternalIDs, &o.OtherConfig, &o.OVSVersion, &o.DbVersion,
			&o.DatapathTypes, &o.IfaceTypes, &o.DpdkInitialized, &o.CurCfg, &o.NextCfg),
		client.WithTable(b, &b.UUID, &b.Name, &b.Ports, &b.DatapathType, &b.FailMode, &b.OtherConfig, &b.ExternalIDs,
			&b.Netflow, &b.Sflow, &b.IPFIX),
		client.WithTable(p, &p.UUID, &p.Name, &p.Interfaces, &p.OtherConfig, &p.ExternalIDs, &p.Tag, &p.Trunks, &p.VLANMode, &p.QOS),
		client.WithTable(i, &i.UUID, &i.Name, &i.Type, &i.Options, &i.MTURequest, &i.ExternalIDs, &i.Ofport, &i.Error,
			&i.MAC, &i.MACInUse, &i.MTU, &i.IngressPolicingRate, &i.IngressPolicingBurst),
		client.WithTable(q, &q.UUID, &q.Type, &q.OtherConfig, &q.ExternalIDs, &q.Queues),
		client.WithTable(qu, &qu.UUID, &qu.DSCP, &qu.OtherConfig, &qu.ExternalIDs),
		client.WithTable(&vs.NetFlow{}),
		client.WithTable(&vs.SFlow{}),
		client.WithTable(&vs.IPFIX{}),
	)
}

// Close disconnects and stops reconnecting. Calls made afterwards fail at
// once. Closing twice is harmless.
func (c *Client) Close() { c.ovs.Close() }

// Connected reports whether the client currently has a connection (it
// reconnects on its own after a loss).
func (c *Client) Connected() bool { return c.ovs.Connected() }

// waitFor blocks until cond holds on the cache, re-checking it on every
// monitor update, or until ctx is done.
func (c *Client) waitFor(ctx context.Context, cond func() bool) error {
	for {
		ch := c.note.wait()
		if cond() {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// isConnErr reports errors after which an idempotent call may be rebuilt and
// retried: the connection dropped before the reply arrived.
func isConnErr(err error) bool {
	var ne *net.OpError
	return errors.Is(err, client.ErrNotConnected) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, net.ErrClosed) ||
		errors.As(err, &ne) || strings.Contains(err.Error(), "connection is shut down")
}

// cache lookups -------------------------------------------------------------

func (c *Client) root() (*vs.OpenvSwitch, error) {
	for _, m := range c.ovs.Cache().Table(vs.OpenvSwitchTable).Rows() {
		return m.(*vs.OpenvSwitch), nil
	}
	return nil, fmt.Errorf("ovsdb: the Open_vSwitch table has no row (database not initialised, run ovs-vsctl init): %w", ErrNotFound)
}

func (c *Client) bridgeByName(name string) *vs.Bridge {
	_, m, err := c.ovs.Cache().Table(vs.BridgeTable).RowByModel(&vs.Bridge{Name: name})
	if err != nil || m == nil {
		return nil
	}
	return m.(*vs.Bridge)
}

func (c *Client) portByName(name string) *vs.Port {
	_, m, err := c.ovs.Cache().Table(vs.PortTable).RowByModel(&vs.Port{Name: name})
	if err != nil || m == nil {
		return nil
	}
	return m.(*vs.Port)
}

func (c *Client) ifaceByName(name string) *vs.Interface {
	_, m, err := c.ovs.Cache().Table(vs.InterfaceTable).RowByModel(&vs.Interface{Name: name})
	if err != nil || m == nil {
		return nil
	}
	return m.(*vs.Interface)
}

func (c *Client) row(table, uuid string) model.Model {
	return c.ovs.Cache().Table(table).Row(uuid)
}

// bridgeOfPort returns the bridge holding the port with uuid, or nil.
func (c *Client) bridgeOfPort(uuid string) *vs.Bridge {
	for _, m := range c.ovs.Cache().Table(vs.BridgeTable).RowsShallow() {
		b := m.(*vs.Bridge)
		for _, p := range b.Ports {
			if p == uuid {
				return model.Clone(b).(*vs.Bridge)
			}
		}
	}
	return nil
}

// schemaHasColumn reports whether the server's schema has table.column.
func (c *Client) schemaHasColumn(table, column string) bool {
	s := c.ovs.Schema()
	t, ok := s.Tables[table]
	if !ok {
		return false
	}
	_, ok = t.Columns[column]
	return ok
}
