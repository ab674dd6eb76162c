// SPDX-License-Identifier: Apache-2.0

package ovsdb

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/ovn-kubernetes/libovsdb/cache"
	"github.com/ovn-kubernetes/libovsdb/client"
	"github.com/ovn-kubernetes/libovsdb/model"
	libovsdb "github.com/ovn-kubernetes/libovsdb/ovsdb"
)

// errClosed is returned by calls made after Close. It is not a connection
// error: nothing retries it.
var errClosed = errors.New("ovsdb: client closed")

// conns is the Client's connection to ovsdb-server. It reconnects on its own,
// but not through libovsdb's automatic reconnection: in libovsdb v0.8.1 that
// path races (its disconnect handler starts the next handler before adding
// to the WaitGroup that handler waits on, so a connection the server closes
// right after a reconnection is a data race; see DESIGN.md). Each connection
// is a fresh libovsdb client that connects once and is thrown away when the
// connection drops, and this type's own loop dials the next one.
//
// Reads use the cache of the current connection, kept as it was while the
// connection is down (libovsdb drops it from the client) and replaced only
// once the next connection's monitor has filled a new one, so a read never
// sees an empty or half-filled cache. Transact waits for a connection.
type conns struct {
	dial    func(ctx context.Context) (*session, error)
	timeout time.Duration // bounds each reconnection attempt
	changed func()        // called when the connection goes down or comes up

	ctx    context.Context // cancelled by close
	cancel context.CancelFunc
	wg     sync.WaitGroup
	once   sync.Once

	mu     sync.RWMutex
	cur    *session
	live   bool
	up     chan struct{} // closed while live; a new one while down
	closed bool
}

// session is one libovsdb client, connected once.
type session struct {
	cli    client.Client
	cache  *cache.TableCache
	schema libovsdb.DatabaseSchema
	down   chan struct{} // closed when the connection is lost
	quit   chan struct{} // closed when the session is discarded
	once   sync.Once
}

// newSession creates a libovsdb client (without automatic reconnection),
// connects it, and starts the monitor. monitor builds the monitor request for
// the client; handler is added to its cache before the monitor fills it.
func newSession(ctx context.Context, dbModel model.ClientDBModel, copts []client.Option,
	monitor func(client.Client) *client.Monitor, handler cache.EventHandler) (*session, error) {
	cli, err := client.NewOVSDBClient(dbModel, copts...)
	if err != nil {
		return nil, err
	}
	s := &session{cli: cli, down: make(chan struct{}), quit: make(chan struct{})}
	// Listen before connecting: libovsdb sends the disconnect notification
	// without blocking and drops it when nobody is receiving.
	go func() {
		select {
		case <-cli.DisconnectNotify():
			close(s.down)
		case <-s.quit:
		}
	}()
	if err := cli.Connect(ctx); err != nil {
		s.discard()
		return nil, err
	}
	s.schema = cli.Schema()
	s.cache = cli.Cache()
	s.cache.AddEventHandler(handler)
	if _, err := cli.Monitor(ctx, monitor(cli)); err != nil {
		s.discard()
		return nil, fmt.Errorf("monitor: %w", err)
	}
	return s, nil
}

// discard closes the session's client; it is not used afterwards.
func (s *session) discard() {
	s.once.Do(func() { close(s.quit) })
	s.cli.Close()
}

// lost reports whether the connection dropped. The disconnect notification
// is the main signal; a client whose RPC connection is gone is down too (a
// backstop for a notification sent before anyone listened).
func (s *session) lost() bool {
	select {
	case <-s.down:
		return true
	default:
		return s.cli.CurrentEndpoint() == ""
	}
}

func newConns(first *session, timeout time.Duration, dial func(context.Context) (*session, error), changed func()) *conns {
	r := &conns{dial: dial, timeout: timeout, changed: changed, cur: first, live: true, up: make(chan struct{})}
	close(r.up)
	r.ctx, r.cancel = context.WithCancel(context.Background())
	r.wg.Add(1)
	go r.run(first)
	return r
}

// run waits for the current session to drop, then dials new ones with
// backoff until one connects or the client is closed.
func (r *conns) run(s *session) {
	defer r.wg.Done()
	bo := backoff.NewExponentialBackOff()
	bo.InitialInterval = 50 * time.Millisecond
	bo.MaxInterval = time.Second
	bo.MaxElapsedTime = 0
	poll := time.NewTicker(500 * time.Millisecond)
	defer poll.Stop()
	for {
		for !s.lost() {
			select {
			case <-s.down:
			case <-poll.C:
			case <-r.ctx.Done():
				return
			}
		}
		r.mu.Lock()
		if r.cur == s && r.live {
			r.live = false
			r.up = make(chan struct{})
		}
		r.mu.Unlock()
		r.changed()
		s.discard()
		bo.Reset()
		for {
			actx, cancel := context.WithTimeout(r.ctx, r.timeout)
			next, err := r.dial(actx)
			cancel()
			if err == nil {
				r.mu.Lock()
				if r.closed {
					r.mu.Unlock()
					next.discard()
					return
				}
				r.cur, r.live = next, true
				close(r.up)
				r.mu.Unlock()
				r.changed()
				s = next
				break
			}
			select {
			case <-time.After(bo.NextBackOff()):
			case <-r.ctx.Done():
				return
			}
		}
	}
}

func (r *conns) current() (*session, bool, chan struct{}) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.cur, r.live && !r.closed, r.up
}

// Cache returns the cache of the current connection, or of the last one
// while reconnecting.
func (r *conns) Cache() *cache.TableCache {
	s, _, _ := r.current()
	return s.cache
}

// Schema returns the server's schema as the current connection read it.
func (r *conns) Schema() libovsdb.DatabaseSchema {
	s, _, _ := r.current()
	return s.schema
}

// Connected reports whether a connection is up.
func (r *conns) Connected() bool {
	s, live, _ := r.current()
	return live && !s.lost()
}

// Transact sends the operations on the current connection, waiting for one
// while reconnecting (until ctx is done).
func (r *conns) Transact(ctx context.Context, ops ...libovsdb.Operation) ([]libovsdb.OperationResult, error) {
	for {
		s, live, up := r.current()
		r.mu.RLock()
		closed := r.closed
		r.mu.RUnlock()
		if closed {
			return nil, errClosed
		}
		if live {
			return s.cli.Transact(ctx, ops...)
		}
		select {
		case <-up:
		case <-ctx.Done():
			return nil, fmt.Errorf("%w: while awaiting reconnection", ctx.Err())
		}
	}
}

// Close disconnects for good and waits for the reconnection loop to end.
func (r *conns) Close() {
	r.once.Do(func() {
		r.mu.Lock()
		r.closed = true
		s := r.cur
		if r.live {
			r.live = false
		} else {
			close(r.up) // wake Transact waiters; they see closed
		}
		r.mu.Unlock()
		r.cancel()
		s.discard()
		r.wg.Wait()
	})
}
