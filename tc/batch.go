// SPDX-License-Identifier: Apache-2.0

package tc

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"strings"
	"syscall"

	"github.com/mdlayher/netlink"

	"github.com/ovsoffload/ovsoffload/tc/flower"
)

// batchSize is how many requests go in one sendmsg. The kernel processes
// them in order and queues one ack each; 64 small acks stay well inside the
// default socket receive buffer.
const batchSize = 64

// FilterError is one refused filter of a batch.
type FilterError struct {
	Index int   // position in the specs given
	Err   error // *OpError
}

// BatchError lists the filters of a batch the kernel refused; every other
// filter of the batch was applied. Bad specs never get here: the whole batch
// is validated before anything is sent.
type BatchError struct {
	Failed []FilterError
}

// Error summarises the failures.
func (e *BatchError) Error() string {
	var parts []string
	for i, f := range e.Failed {
		if i == 3 {
			parts = append(parts, fmt.Sprintf("and %d more", len(e.Failed)-3))
			break
		}
		parts = append(parts, fmt.Sprintf("#%d: %v", f.Index, f.Err))
	}
	return fmt.Sprintf("tc: %d filters refused: %s", len(e.Failed), strings.Join(parts, "; "))
}

// Unwrap returns each failure, so that errors.Is(err, ErrConflict) asks
// whether any filter was refused as a duplicate.
func (e *BatchError) Unwrap() []error {
	errs := make([]error, len(e.Failed))
	for i, f := range e.Failed {
		errs[i] = f.Err
	}
	return errs
}

// AddFilters creates many filters, sending them in batches of 64 requests
// per system call (tc -batch sends one). The result says which were refused.
func (c *Client) AddFilters(specs ...FilterSpec) error { return c.programBatch(opAdd, specs) }

// ReplaceFilters creates or replaces many filters, batched like AddFilters.
func (c *Client) ReplaceFilters(specs ...FilterSpec) error {
	for i, s := range specs {
		if s.Handle == 0 {
			return fmt.Errorf("tc: filter %d: replace needs a handle", i)
		}
	}
	return c.programBatch(opReplace, specs)
}

func (c *Client) programBatch(op filterOp, specs []FilterSpec) error {
	msgs := make([]netlink.Message, len(specs))
	for i, s := range specs {
		if err := s.Validate(); err != nil {
			return fmt.Errorf("tc: filter %d: %w", i, err)
		}
		m, err := filterMessage(op, s)
		if err != nil {
			return fmt.Errorf("tc: filter %d: %w", i, err)
		}
		msgs[i] = m
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var be BatchError
	for start := 0; start < len(msgs); start += batchSize {
		chunk := msgs[start:min(start+batchSize, len(msgs))]
		sent, err := c.conn.SendMessages(chunk)
		if err != nil {
			return fmt.Errorf("tc: %s: send: %w (filters %d.. not applied)", op, err, start)
		}
		bySeq := make(map[uint32]int, len(sent))
		for i, m := range sent {
			bySeq[m.Header.Sequence] = start + i
		}
		if err := c.collectAcks(bySeq, func(idx int, err error) {
			be.Failed = append(be.Failed, FilterError{Index: idx, Err: wrapOpError(op.String(), specs[idx].FilterID, err)})
		}); err != nil {
			return fmt.Errorf("tc: %s: %w (acks of filters %d..%d lost: state unknown)", op, err, start, start+len(chunk)-1)
		}
	}
	if len(be.Failed) > 0 {
		sort.Slice(be.Failed, func(i, j int) bool { return be.Failed[i].Index < be.Failed[j].Index })
		return &be
	}
	return nil
}

// collectAcks reads one ack per pending sequence number and reports each
// error ack through fail.
func (c *Client) collectAcks(pending map[uint32]int, fail func(int, error)) error {
	for len(pending) > 0 {
		b, err := c.reader.Next()
		if err != nil {
			return err
		}
		for len(b) > 0 {
			h, data, rest, err := splitMessage(b)
			if err != nil {
				return err
			}
			b = rest
			idx, ok := pending[h.Sequence]
			if !ok || h.Type != netlink.Error {
				continue
			}
			delete(pending, h.Sequence)
			if err := ackError(h, data); err != nil {
				fail(idx, err)
			}
		}
	}
	return nil
}

// splitMessage takes the first netlink message off b.
func splitMessage(b []byte) (netlink.Header, []byte, []byte, error) {
	if len(b) < 16 {
		return netlink.Header{}, nil, nil, &DecodeError{Where: "message", What: fmt.Sprintf("%d trailing bytes", len(b))}
	}
	l := int(binary.NativeEndian.Uint32(b))
	if l < 16 || l > len(b) {
		return netlink.Header{}, nil, nil, &DecodeError{Where: "message", What: fmt.Sprintf("length %d out of %d bytes", l, len(b))}
	}
	h := netlink.Header{
		Length:   uint32(l),
		Type:     netlink.HeaderType(binary.NativeEndian.Uint16(b[4:])),
		Flags:    netlink.HeaderFlags(binary.NativeEndian.Uint16(b[6:])),
		Sequence: binary.NativeEndian.Uint32(b[8:]),
		PID:      binary.NativeEndian.Uint32(b[12:]),
	}
	rest := b[min(align4(l), len(b)):]
	return h, b[16:l], rest, nil
}

// ackError decodes struct nlmsgerr and its extended ack: nil for a success
// ack, else a *netlink.OpError with the errno and the kernel's message.
func ackError(h netlink.Header, data []byte) error {
	if len(data) < 4 {
		return &DecodeError{Where: "ack", What: "short nlmsgerr"}
	}
	code := int32(binary.NativeEndian.Uint32(data))
	if code == 0 {
		return nil
	}
	oe := &netlink.OpError{Op: "receive", Err: syscall.Errno(-code)}
	// The echoed request: its header only when the ack is capped, else
	// the whole message; the extended ack attributes follow.
	tlv := data[4:]
	if len(tlv) >= 16 {
		skip := 16
		if h.Flags&0x100 == 0 { // NLM_F_CAPPED
			skip = int(binary.NativeEndian.Uint32(tlv))
		}
		if off := align4(skip); h.Flags&0x200 != 0 && skip >= 16 && off <= len(tlv) { // NLM_F_ACK_TLVS
			_ = walk("extack", tlv[off:], func(typ, _ uint16, v []byte) error {
				switch typ {
				case 1: // NLMSGERR_ATTR_MSG
					oe.Message = flower.CString(v)
				case 2: // NLMSGERR_ATTR_OFFS
					if len(v) == 4 {
						oe.Offset = int(binary.NativeEndian.Uint32(v))
					}
				}
				return nil
			})
		}
	}
	return oe
}

// errDumpInterrupted is returned when the kernel flags a dump as
// inconsistent (NLM_F_DUMP_INTR).
var errDumpInterrupted = errors.New("dump interrupted (NLM_F_DUMP_INTR): the filters changed during the dump, retry")

// dumpFilters sends a filter dump request and decodes the replies straight
// from the receive buffer.
func (c *Client) dumpFilters(req netlink.Message) ([]Filter, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	sent, err := c.conn.Send(req)
	if err != nil {
		return nil, err
	}
	var out []Filter
	var fail error
	var d flower.Decoder
	for {
		b, err := c.reader.Next()
		if err != nil {
			return nil, err
		}
		for len(b) > 0 {
			h, data, rest, err := splitMessage(b)
			if err != nil {
				return nil, err
			}
			b = rest
			if h.Sequence != sent.Header.Sequence {
				continue
			}
			if h.Flags&netlink.DumpInterrupted != 0 && fail == nil {
				fail = errDumpInterrupted
			}
			switch h.Type {
			case netlink.Done:
				if fail != nil {
					return nil, fail
				}
				return out, nil
			case netlink.Error:
				if err := ackError(h, data); err != nil {
					return nil, err
				}
				return nil, errors.New("unexpected success ack in a dump")
			case rtmNewTfilter:
				if fail != nil {
					continue
				}
				f, err := decodeFilter(data, &d)
				if err != nil {
					fail = fmt.Errorf("message %d: %w", len(out), err)
					continue // read the dump to its end
				}
				if !f.IsInstance() {
					out = append(out, f)
				}
			}
		}
	}
}
