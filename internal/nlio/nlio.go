// SPDX-License-Identifier: Apache-2.0

package nlio

import (
	"errors"
	"fmt"
	"syscall"

	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// BufferSize is the receive buffer: the kernel's largest dump datagram
// (SKB_WITH_OVERHEAD(32768)) fits in it.
const BufferSize = 32768

// Reader receives datagrams from a Conn's socket.
type Reader struct {
	conn *netlink.Conn
	buf  []byte
	rc   syscall.RawConn
}

// NewReader returns a Reader on conn's socket.
func NewReader(conn *netlink.Conn) *Reader {
	return &Reader{conn: conn, buf: make([]byte, BufferSize)}
}

// Next reads one datagram and returns its bytes, valid until the next call.
// It blocks (through the Go runtime's poller) until a datagram arrives.
func (r *Reader) Next() ([]byte, error) {
	if r.rc == nil {
		rc, err := r.conn.SyscallConn()
		if err != nil {
			return nil, fmt.Errorf("nlio: %w", err)
		}
		r.rc = rc
	}
	rc := r.rc
	var n int
	var rerr error
	err := rc.Read(func(fd uintptr) bool {
		n, _, rerr = unix.Recvfrom(int(fd), r.buf, 0)
		return !errors.Is(rerr, unix.EAGAIN) && !errors.Is(rerr, unix.EINTR)
	})
	if err != nil {
		return nil, fmt.Errorf("nlio: receive: %w", err)
	}
	if rerr != nil {
		return nil, fmt.Errorf("nlio: receive: %w", rerr)
	}
	if n >= len(r.buf) {
		return nil, fmt.Errorf("nlio: datagram of %d bytes or more does not fit the %d-byte buffer", n, len(r.buf))
	}
	return r.buf[:n], nil
}
