// SPDX-License-Identifier: Apache-2.0

package tc

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync"

	gotc "github.com/florianl/go-tc"
	"github.com/mdlayher/netlink"
	"github.com/ovsoffload/ovsoffload/internal/nlio"

	"github.com/ovsoffload/ovsoffload/tc/flower"
)

// Config configures a Client.
type Config struct {
	// NetNS is a file descriptor of the network namespace to work in; 0
	// means the caller's namespace.
	NetNS int
}

// Client programs and dumps flower filters over rtnetlink. Qdiscs are set
// up with go-tc; filters are encoded and decoded by this package (go-tc
// cannot express IPv6 flower keys, pedit or ct labels, and aborts a whole
// dump on one action it does not know). A Client is safe for concurrent use.
type Client struct {
	conn   *netlink.Conn
	qd     *gotc.Tc
	mu     sync.Mutex // serialises the requests read with reader
	reader *nlio.Reader
}

// Dial opens the netlink sockets. cfg may be nil.
func Dial(cfg *Config) (*Client, error) {
	if cfg == nil {
		cfg = &Config{}
	}
	conn, err := netlink.Dial(0 /* NETLINK_ROUTE */, &netlink.Config{NetNS: cfg.NetNS})
	if err != nil {
		return nil, fmt.Errorf("tc: dial rtnetlink: %w", err)
	}
	if err := conn.SetOption(netlink.ExtendedAcknowledge, true); err != nil {
		conn.Close()
		return nil, fmt.Errorf("tc: enable extended acks: %w", err)
	}
	qd, err := gotc.Open(&gotc.Config{NetNS: cfg.NetNS})
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("tc: dial rtnetlink (go-tc): %w", err)
	}
	if err := qd.SetOption(netlink.ExtendedAcknowledge, true); err != nil {
		conn.Close()
		qd.Close()
		return nil, fmt.Errorf("tc: enable extended acks: %w", err)
	}
	return &Client{conn: conn, qd: qd, reader: nlio.NewReader(conn)}, nil
}

// Close closes the sockets.
func (c *Client) Close() error {
	return errors.Join(c.conn.Close(), c.qd.Close())
}

// QdiscKind is the qdisc that holds ingress filters.
type QdiscKind string

// Qdisc kinds for EnsureQdisc.
const (
	// Clsact gives ingress and egress hooks (ParentIngress, ParentEgress).
	Clsact QdiscKind = "clsact"
	// Ingress gives the ingress hook only (ParentIngressQdisc); OVS uses it
	// on ports that do not need egress filters.
	Ingress QdiscKind = "ingress"
)

func qdiscObject(ifindex int, kind QdiscKind) *gotc.Object {
	return &gotc.Object{
		Msg:       gotc.Msg{Ifindex: uint32(ifindex), Handle: qdiscHandleFFF, Parent: tcHClsact},
		Attribute: gotc.Attribute{Kind: string(kind)},
	}
}

// EnsureQdisc adds the clsact or ingress qdisc to a device, and succeeds when
// that kind is already there. Another qdisc in the ingress slot is
// ErrConflict; a kernel without the qdisc is ErrNotSupported.
func (c *Client) EnsureQdisc(ifindex int, kind QdiscKind) error {
	if ifindex <= 0 || (kind != Clsact && kind != Ingress) {
		return fmt.Errorf("tc: ensure qdisc: bad ifindex %d or kind %q", ifindex, kind)
	}
	err := c.qd.Qdisc().Add(qdiscObject(ifindex, kind))
	if err == nil {
		return nil
	}
	oerr := wrapOpError("add qdisc", FilterID{Ifindex: ifindex}, err)
	if !errors.Is(oerr, ErrConflict) {
		return oerr
	}
	have, derr := c.ingressQdisc(ifindex)
	if derr != nil {
		return derr
	}
	if have == string(kind) {
		return nil
	}
	return fmt.Errorf("tc: dev %d has qdisc %q where %q was asked: %w", ifindex, have, kind, ErrConflict)
}

// DeleteQdisc removes the clsact or ingress qdisc, with all its filters. No
// qdisc in the ingress slot is ErrNotFound (the kernel would only say
// "Invalid handle"); another kind there is ErrConflict.
func (c *Client) DeleteQdisc(ifindex int, kind QdiscKind) error {
	have, err := c.ingressQdisc(ifindex)
	if err != nil {
		return err
	}
	if have != string(kind) {
		return fmt.Errorf("tc: dev %d has qdisc %q where %q was to be deleted: %w", ifindex, have, kind, ErrConflict)
	}
	return wrapOpError("delete qdisc", FilterID{Ifindex: ifindex}, c.qd.Qdisc().Delete(qdiscObject(ifindex, kind)))
}

// ingressQdisc returns the kind of the qdisc in the ingress slot of a
// device, read with this package's decoder (go-tc's would fail on a qdisc
// with options it does not know).
func (c *Client) ingressQdisc(ifindex int) (string, error) {
	req := netlink.Message{Header: netlink.Header{Type: rtmGetQdisc, Flags: netlink.Request | netlink.Dump},
		Data: tcmsg(ifindex, 0, 0, 0)}
	c.mu.Lock()
	msgs, err := c.conn.Execute(req)
	c.mu.Unlock()
	if err != nil {
		return "", wrapOpError("dump qdiscs", FilterID{Ifindex: ifindex}, err)
	}
	for _, m := range msgs {
		if len(m.Data) < tcmsgLen || int(int32(binary.NativeEndian.Uint32(m.Data[4:]))) != ifindex ||
			binary.NativeEndian.Uint32(m.Data[12:]) != tcHClsact {
			continue
		}
		kind := ""
		if err := walk("qdisc", m.Data[tcmsgLen:], func(typ, _ uint16, data []byte) error {
			if typ == tcaKind {
				kind = flower.CString(data)
			}
			return nil
		}); err != nil {
			return "", err
		}
		return kind, nil
	}
	return "", fmt.Errorf("tc: dev %d: no ingress qdisc: %w", ifindex, ErrNotFound)
}

// AddFilter creates a filter; one with the same chain, prio and handle is
// ErrConflict.
func (c *Client) AddFilter(spec FilterSpec) error { return c.program(opAdd, spec) }

// ReplaceFilter creates a filter or replaces the one with the same chain,
// prio and handle (as OVS does).
func (c *Client) ReplaceFilter(spec FilterSpec) error {
	if spec.Handle == 0 {
		return errors.New("tc: replace needs a handle")
	}
	return c.program(opReplace, spec)
}

func (c *Client) program(op filterOp, spec FilterSpec) error {
	if err := spec.Validate(); err != nil {
		return err
	}
	err := c.programBatch(op, []FilterSpec{spec})
	var be *BatchError
	if errors.As(err, &be) && len(be.Failed) == 1 {
		return be.Failed[0].Err
	}
	return err
}

// DeleteFilter deletes one filter (or, with Handle 0, every filter of the
// prio). A filter that is not there is ErrNotFound.
func (c *Client) DeleteFilter(id FilterID) error {
	if err := id.validate(true); err != nil {
		return err
	}
	m, _ := filterMessage(opDelete, FilterSpec{FilterID: id})
	c.mu.Lock()
	_, err := c.conn.Execute(m)
	c.mu.Unlock()
	return wrapOpError(opDelete.String(), id, err)
}

// Filters dumps every filter of every chain under parent on a device. The
// result is complete or an error: an interrupted dump is an error, and a
// filter or action this package does not know is returned with its
// attributes kept opaque rather than failing the dump.
func (c *Client) Filters(ifindex int, parent uint32) ([]Filter, error) {
	return c.filters(ifindex, parent, false)
}

// FiltersTerse dumps like Filters but asks the kernel for its terse dump
// (TCA_DUMP_FLAGS_TERSE, Linux 5.9+): each filter keeps its chain, prio,
// protocol, handle and flags (in_hw / not_in_hw / skip_*), and each action
// its kind, cookie and counters; keys, action options and in_hw_count are
// left out by the kernel. It is what correlating filters with OVS flows by
// UFID needs, at a fraction of the kernel's work.
func (c *Client) FiltersTerse(ifindex int, parent uint32) ([]Filter, error) {
	return c.filters(ifindex, parent, true)
}

func (c *Client) filters(ifindex int, parent uint32, terse bool) ([]Filter, error) {
	id := FilterID{Ifindex: ifindex, Parent: parent}
	if err := id.validate(false); err != nil {
		return nil, err
	}
	var e enc
	e.b = tcmsg(ifindex, 0, parent, 0)
	if terse {
		// TCA_DUMP_FLAGS, an nla_bitfield32 {value, selector}.
		e.attr(tcaDumpFlags, binary.NativeEndian.AppendUint32(binary.NativeEndian.AppendUint32(nil, dumpFlagsTerse), dumpFlagsTerse))
	}
	req := netlink.Message{Header: netlink.Header{Type: rtmGetTfilter, Flags: netlink.Request | netlink.Dump}, Data: e.b}
	op := "dump filters"
	if terse {
		op = "dump filters (terse)"
	}
	out, err := c.dumpFilters(req)
	if err != nil {
		return nil, wrapOpError(op, id, err)
	}
	return out, nil
}

// ProbeFlower tells conclusively whether the kernel can hold flower filters
// on a device: it ensures a clsact qdisc, adds a skip_hw flower filter at
// prio 65535 of chain 0 and deletes it. ErrNotSupported means cls_flower (or
// clsact, or act_gact) is missing; other errors are not conclusive.
func (c *Client) ProbeFlower(ifindex int) error {
	if err := c.EnsureQdisc(ifindex, Clsact); err != nil {
		return err
	}
	spec := FilterSpec{
		FilterID: FilterID{Ifindex: ifindex, Parent: ParentIngress, Prio: 0xFFFF, Protocol: EthPAll, Handle: 1},
		Flags:    FlagSkipHW,
		Actions:  []Action{Pass()},
	}
	if err := c.AddFilter(spec); err != nil {
		return err
	}
	return c.DeleteFilter(spec.FilterID)
}
