// SPDX-License-Identifier: Apache-2.0

package appctl

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// CallStream runs cmd with args like Call, but writes the reply's text to w
// as it arrives on the socket instead of returning it whole: a reader of w
// sees the first lines of a long reply (dpctl/dump-flows of many flows)
// before the daemon's last bytes are read, and the reply is never held in
// memory. An error reply is an *Error (nothing was written then); a reply
// that is JSON rather than text is written as its JSON text. When w.Write
// fails, CallStream stops reading, returns that error, and the connection
// is unusable afterwards (the rest of the reply is unread). The size bound
// of MaxResponse applies as for Call.
func (c *Client) CallStream(ctx context.Context, w io.Writer, cmd string, args ...string) error {
	if cmd == "" {
		return errors.New("appctl: empty command")
	}
	for _, s := range append([]string{cmd}, args...) {
		if !utf8.ValidString(s) {
			return fmt.Errorf("appctl: %q is not valid UTF-8", s)
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.broken != nil {
		return fmt.Errorf("appctl: %s: connection to %s unusable: %w", cmd, c.path, c.broken)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if args == nil {
		args = []string{}
	}
	id := c.nextID
	c.nextID++
	req, err := json.Marshal(request{Method: cmd, Params: args, ID: id})
	if err != nil {
		return fmt.Errorf("appctl: encoding %s: %w", cmd, err)
	}
	if d, ok := ctx.Deadline(); ok {
		_ = c.conn.SetDeadline(d)
	} else {
		_ = c.conn.SetDeadline(time.Time{})
	}
	stop := context.AfterFunc(ctx, func() { _ = c.conn.SetDeadline(time.Unix(1, 0)) })
	max := c.MaxResponse
	if max <= 0 {
		max = DefaultMaxResponse
	}
	rr := &replyReader{lr: &io.LimitedReader{R: c.conn, N: max + 1}, w: w, max: max}
	rr.r = bufio.NewReaderSize(rr.lr, 64<<10)
	var gotID int64 = -1
	var errMsg json.RawMessage
	if _, err = c.conn.Write(req); err == nil {
		gotID, errMsg, err = rr.read()
	}
	if !stop() && err == nil {
		c.broken = fmt.Errorf("context ended during %s: %w", cmd, ctx.Err())
	}
	if err != nil {
		c.broken = err
		var we *writeError
		if errors.As(err, &we) {
			return we.err
		}
		if ctxErr := ctx.Err(); ctxErr != nil {
			return fmt.Errorf("appctl: %s: %w", cmd, ctxErr)
		}
		if d, ok := ctx.Deadline(); ok && errors.Is(err, os.ErrDeadlineExceeded) && !time.Now().Before(d) {
			return fmt.Errorf("appctl: %s: %w", cmd, context.DeadlineExceeded)
		}
		return fmt.Errorf("appctl: %s on %s: %w", cmd, c.path, err)
	}
	if gotID != id {
		c.broken = fmt.Errorf("reply id %d does not match request id %d", gotID, id)
		return fmt.Errorf("appctl: %s: %w", cmd, c.broken)
	}
	if !isNull(errMsg) {
		var msg string
		if err := json.Unmarshal(errMsg, &msg); err != nil {
			msg = string(errMsg)
		}
		return &Error{Command: strings.Join(append([]string{cmd}, args...), " "), Message: msg}
	}
	return nil
}

// writeError is a failure of the caller's writer, told apart from the
// socket's failures.
type writeError struct{ err error }

func (e *writeError) Error() string { return e.err.Error() }
func (e *writeError) Unwrap() error { return e.err }

// maxRawValue bounds a reply member other than a text result (id, error,
// JSON result) that is read whole.
const maxRawValue = 1 << 20

// replyReader decodes one JSON-RPC reply object from r, member by member
// in whatever order the daemon wrote them, and copies the string value of
// "result" to w unescaped as it is decoded.
type replyReader struct {
	lr  *io.LimitedReader
	r   *bufio.Reader
	w   io.Writer
	max int64
	out []byte // decoded text not yet written to w
}

func (rr *replyReader) readByte() (byte, error) {
	if rr.r.Buffered() == 0 && len(rr.out) > 0 {
		// About to wait for the socket: hand over what was decoded.
		if err := rr.flush(); err != nil {
			return 0, err
		}
	}
	b, err := rr.r.ReadByte()
	if err != nil {
		if rr.lr.N <= 0 {
			return 0, fmt.Errorf("reply larger than %d bytes", rr.max)
		}
		if errors.Is(err, io.EOF) {
			return 0, fmt.Errorf("daemon closed the connection: %w", io.ErrUnexpectedEOF)
		}
		return 0, err
	}
	return b, nil
}

func (rr *replyReader) flush() error {
	if len(rr.out) == 0 {
		return nil
	}
	_, err := rr.w.Write(rr.out)
	rr.out = rr.out[:0]
	if err != nil {
		return &writeError{err}
	}
	return nil
}

func (rr *replyReader) skipSpace() (byte, error) {
	for {
		b, err := rr.readByte()
		if err != nil {
			return 0, err
		}
		switch b {
		case ' ', '\t', '\n', '\r':
			continue
		}
		return b, nil
	}
}

// read decodes the reply and returns its id and its error member.
func (rr *replyReader) read() (id int64, errMsg json.RawMessage, err error) {
	id = -1
	b, err := rr.skipSpace()
	if err != nil {
		return id, nil, err
	}
	if b != '{' {
		return id, nil, fmt.Errorf("decoding reply: want an object, got %q", b)
	}
	seen := map[string]bool{}
	for first := true; ; first = false {
		b, err = rr.skipSpace()
		if err != nil {
			return id, nil, err
		}
		if b == '}' && first {
			break
		}
		if b != '"' {
			return id, nil, fmt.Errorf("decoding reply: want a member name, got %q", b)
		}
		raw, err := rr.rawString()
		if err != nil {
			return id, nil, err
		}
		var key string
		if err := json.Unmarshal(raw, &key); err != nil {
			return id, nil, fmt.Errorf("decoding reply: %w", err)
		}
		if seen[key] {
			return id, nil, fmt.Errorf("decoding reply: member %q twice", key)
		}
		seen[key] = true
		if b, err = rr.skipSpace(); err != nil {
			return id, nil, err
		}
		if b != ':' {
			return id, nil, fmt.Errorf("decoding reply: want ':', got %q", b)
		}
		if b, err = rr.skipSpace(); err != nil {
			return id, nil, err
		}
		if key == "result" && b == '"' {
			if err := rr.streamString(); err != nil {
				return id, nil, err
			}
		} else {
			v, err := rr.rawValue(b)
			if err != nil {
				return id, nil, err
			}
			switch key {
			case "id":
				n, perr := strconv.ParseInt(string(v), 10, 64)
				if perr != nil {
					return id, nil, fmt.Errorf("reply id %.40s is not a request id", v)
				}
				id = n
			case "error":
				errMsg = append(json.RawMessage(nil), v...)
			case "result":
				if !isNull(v) {
					rr.out = append(rr.out, v...)
				}
			}
		}
		if b, err = rr.skipSpace(); err != nil {
			return id, nil, err
		}
		if b == '}' {
			break
		}
		if b != ',' {
			return id, nil, fmt.Errorf("decoding reply: want ',' or '}', got %q", b)
		}
	}
	if err := rr.flush(); err != nil {
		return id, nil, err
	}
	// unixctl sends one reply per request: anything buffered after it is a
	// protocol error.
	if n := rr.r.Buffered(); n > 0 {
		rest, _ := rr.r.Peek(n)
		if len(strings.TrimSpace(string(rest))) > 0 {
			return id, nil, fmt.Errorf("unexpected data after the reply: %.40q", rest)
		}
	}
	return id, errMsg, nil
}

// rawString reads a JSON string whose opening quote was read, and returns
// it with its quotes, still escaped.
func (rr *replyReader) rawString() ([]byte, error) {
	buf := []byte{'"'}
	esc := false
	for {
		b, err := rr.readByte()
		if err != nil {
			return nil, err
		}
		buf = append(buf, b)
		if len(buf) > maxRawValue {
			return nil, fmt.Errorf("decoding reply: a member longer than %d bytes", maxRawValue)
		}
		switch {
		case esc:
			esc = false
		case b == '\\':
			esc = true
		case b == '"':
			return buf, nil
		}
	}
}

// rawValue reads one JSON value whose first byte is b and returns its text.
func (rr *replyReader) rawValue(b byte) ([]byte, error) {
	if b == '"' {
		return rr.rawString()
	}
	buf := []byte{b}
	depth := 0
	switch b {
	case '{', '[':
		depth = 1
	}
	for depth > 0 || scalarByte(buf[len(buf)-1]) {
		if depth == 0 {
			// A scalar ends before the next delimiter; peek it.
			next, err := rr.r.Peek(1)
			if err != nil || !scalarByte(next[0]) {
				break
			}
		}
		c, err := rr.readByte()
		if err != nil {
			return nil, err
		}
		if c == '"' {
			s, err := rr.rawString()
			if err != nil {
				return nil, err
			}
			buf = append(buf, s...)
		} else {
			buf = append(buf, c)
			switch c {
			case '{', '[':
				depth++
			case '}', ']':
				depth--
			}
		}
		if len(buf) > maxRawValue {
			return nil, fmt.Errorf("decoding reply: a member longer than %d bytes", maxRawValue)
		}
	}
	if !json.Valid(buf) {
		return nil, fmt.Errorf("decoding reply: invalid JSON value %.40q", buf)
	}
	return buf, nil
}

func scalarByte(b byte) bool {
	return b == '-' || b == '+' || b == '.' || (b >= '0' && b <= '9') || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z')
}

// streamString decodes a JSON string whose opening quote was read into
// rr.out, handing it to w in pieces.
func (rr *replyReader) streamString() error {
	for {
		b, err := rr.readByte()
		if err != nil {
			return err
		}
		switch {
		case b == '"':
			return nil
		case b == '\\':
			if err := rr.escape(); err != nil {
				return err
			}
		case b < 0x20:
			return fmt.Errorf("decoding reply: raw control byte %#x in a string", b)
		default:
			rr.out = append(rr.out, b)
		}
		if len(rr.out) >= 32<<10 {
			if err := rr.flush(); err != nil {
				return err
			}
		}
	}
}

func (rr *replyReader) escape() error {
	b, err := rr.readByte()
	if err != nil {
		return err
	}
	switch b {
	case '"', '\\', '/':
		rr.out = append(rr.out, b)
	case 'b':
		rr.out = append(rr.out, '\b')
	case 'f':
		rr.out = append(rr.out, '\f')
	case 'n':
		rr.out = append(rr.out, '\n')
	case 'r':
		rr.out = append(rr.out, '\r')
	case 't':
		rr.out = append(rr.out, '\t')
	case 'u':
		r, err := rr.hex4()
		if err != nil {
			return err
		}
		if utf16.IsSurrogate(r) {
			// A high surrogate is followed by \u and the low one; a lone
			// surrogate becomes U+FFFD as encoding/json decodes it.
			if p, _ := rr.r.Peek(2); len(p) == 2 && p[0] == '\\' && p[1] == 'u' {
				_, _ = rr.r.Discard(2)
				r2, err := rr.hex4()
				if err != nil {
					return err
				}
				if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
					rr.out = utf8.AppendRune(rr.out, d)
					return nil
				}
				rr.out = utf8.AppendRune(rr.out, utf8.RuneError)
				r = r2
				if utf16.IsSurrogate(r) {
					r = utf8.RuneError
				}
			} else {
				r = utf8.RuneError
			}
		}
		rr.out = utf8.AppendRune(rr.out, r)
	default:
		return fmt.Errorf("decoding reply: bad escape \\%c", b)
	}
	return nil
}

func (rr *replyReader) hex4() (rune, error) {
	var r rune
	for range 4 {
		b, err := rr.readByte()
		if err != nil {
			return 0, err
		}
		var v byte
		switch {
		case b >= '0' && b <= '9':
			v = b - '0'
		case b >= 'a' && b <= 'f':
			v = b - 'a' + 10
		case b >= 'A' && b <= 'F':
			v = b - 'A' + 10
		default:
			return 0, fmt.Errorf("decoding reply: bad \\u escape")
		}
		r = r<<4 | rune(v)
	}
	return r, nil
}
