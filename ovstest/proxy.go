// SPDX-License-Identifier: Apache-2.0

package ovstest

import (
	"bytes"
	"encoding/json"
	"net"
	"path/filepath"
	"sync"
)

// Proxy forwards OVSDB JSON-RPC between clients and a server over unix
// sockets, and can lose the reply of a transaction the way a crash right
// after the commit would: the server applies the transaction, the client
// never hears back and its connection drops. Clients that reconnect are
// forwarded normally.
type Proxy struct {
	// Socket is the path clients connect to.
	Socket string

	target string
	ln     net.Listener

	mu       sync.Mutex
	armed    int // lose the reply of the armed-th write transaction from now; 0: off
	armedReq int // drop the armedReq-th write transaction from now; 0: off
	lost     chan struct{}
	lostOnce sync.Once
	onLoss   func()
	conns    map[net.Conn]bool
	stopped  bool
}

// StartProxy listens on a new unix socket and forwards each connection to
// the server listening on targetSocket (a path, such as DB.Socket). It stops
// when the test ends.
func StartProxy(t TB, targetSocket string) *Proxy {
	t.Helper()
	p := &Proxy{Socket: filepath.Join(shortTempDir(t), "proxy.sock"), target: targetSocket,
		lost: make(chan struct{}), conns: map[net.Conn]bool{}}
	ln, err := net.Listen("unix", p.Socket)
	if err != nil {
		t.Fatalf("ovstest: StartProxy: %v", err)
	}
	p.ln = ln
	go p.serve()
	t.Cleanup(p.stop)
	return p
}

// Endpoint returns the endpoint clients dial ("unix:" + Socket).
func (p *Proxy) Endpoint() string { return "unix:" + p.Socket }

// LoseReply arms the proxy: the n-th transaction (1 is the next one) that
// writes (holds an operation other than select, wait, comment or assert) is
// forwarded to the server, and when the server's reply comes back it is
// dropped and the client's connection is cut. Lost is closed then.
func (p *Proxy) LoseReply(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.armed = n
}

// LoseRequest arms the proxy to cut the client off instead of forwarding
// the n-th writing transaction (1 is the next one): the client cannot tell
// this from a lost reply, but the server never saw the transaction. Lost is
// closed then.
func (p *Proxy) LoseRequest(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.armedReq = n
}

// OnLoss sets f to run when the proxy drops a reply, before it cuts the
// client off (on the proxy's goroutine): kill the server there to play a
// crash right after the commit.
func (p *Proxy) OnLoss(f func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.onLoss = f
}

// Lost is closed once a reply or a request was lost (the first time).
func (p *Proxy) Lost() <-chan struct{} { return p.lost }

func (p *Proxy) stop() {
	p.mu.Lock()
	p.stopped = true
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.ln.Close()
}

func (p *Proxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		s, err := net.Dial("unix", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		if p.stopped {
			p.mu.Unlock()
			c.Close()
			s.Close()
			return
		}
		p.conns[c], p.conns[s] = true, true
		p.mu.Unlock()
		pc := &proxyConn{p: p, client: c, server: s}
		go pc.fromClient()
		go pc.fromServer()
	}
}

// proxyConn is one client connection and its connection to the server.
type proxyConn struct {
	p              *Proxy
	client, server net.Conn
	mu             sync.Mutex
	doomed         string // JSON id of the request whose reply is lost
	once           sync.Once
}

func (c *proxyConn) close() {
	c.once.Do(func() {
		c.client.Close()
		c.server.Close()
		c.p.mu.Lock()
		delete(c.p.conns, c.client)
		delete(c.p.conns, c.server)
		c.p.mu.Unlock()
	})
}

type rpcMessage struct {
	Method string            `json:"method"`
	Params []json.RawMessage `json:"params"`
	ID     json.RawMessage   `json:"id"`
}

// writes reports whether transact params hold a writing operation.
func writes(params []json.RawMessage) bool {
	for _, raw := range params {
		var op struct {
			Op string `json:"op"`
		}
		if json.Unmarshal(raw, &op) != nil {
			continue // the database name
		}
		switch op.Op {
		case "", "select", "wait", "comment", "assert":
		default:
			return true
		}
	}
	return false
}

func (c *proxyConn) fromClient() {
	defer c.close()
	dec := json.NewDecoder(c.client)
	for {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return
		}
		var m rpcMessage
		if json.Unmarshal(raw, &m) == nil && m.Method == "transact" && writes(m.Params) {
			c.p.mu.Lock()
			if c.p.armedReq > 0 {
				c.p.armedReq--
				if c.p.armedReq == 0 {
					c.p.mu.Unlock()
					c.p.lostOnce.Do(func() { close(c.p.lost) })
					return // the deferred close cuts the client off
				}
			}
			if c.p.armed > 0 {
				c.p.armed--
				if c.p.armed == 0 {
					c.mu.Lock()
					c.doomed = string(bytes.TrimSpace(m.ID))
					c.mu.Unlock()
				}
			}
			c.p.mu.Unlock()
		}
		if _, err := c.server.Write(raw); err != nil {
			return
		}
	}
}

func (c *proxyConn) fromServer() {
	defer c.close()
	dec := json.NewDecoder(c.server)
	for {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return
		}
		var m rpcMessage
		if json.Unmarshal(raw, &m) == nil && m.Method == "" && len(m.ID) > 0 {
			c.mu.Lock()
			doomed := c.doomed != "" && c.doomed == string(bytes.TrimSpace(m.ID))
			c.mu.Unlock()
			if doomed {
				c.p.mu.Lock()
				f := c.p.onLoss
				c.p.mu.Unlock()
				if f != nil {
					f()
				}
				c.p.lostOnce.Do(func() { close(c.p.lost) })
				return // the deferred close cuts the client off
			}
		}
		if _, err := c.client.Write(raw); err != nil {
			return
		}
	}
}
