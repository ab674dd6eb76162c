// SPDX-License-Identifier: Apache-2.0

package eswitch

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/mdlayher/genetlink"
	"github.com/mdlayher/netlink"
	"github.com/ovsoffload/ovsoffload/internal/ifname"
)

// Ethtool generic netlink numbers, from the kernel UAPI
// linux/ethtool_netlink.h.
const (
	ethtoolGenlName    = "ethtool"
	ethtoolGenlVersion = 1

	ethtoolMsgFeaturesGet = 11
	ethtoolMsgFeaturesSet = 12

	ethtoolAHeaderDevName = 2
	ethtoolAHeaderFlags   = 3

	// ethtoolFlagOmitReply asks the kernel for no reply message to a SET
	// request, only the acknowledgement; with both, the reply and the ack
	// can arrive in separate reads and desynchronise the socket.
	ethtoolFlagOmitReply = 2

	ethtoolAFeaturesHeader   = 1
	ethtoolAFeaturesHW       = 2
	ethtoolAFeaturesWanted   = 3
	ethtoolAFeaturesActive   = 4
	ethtoolAFeaturesNoChange = 5

	ethtoolABitsetBits = 3

	ethtoolABitsetBitsBit = 1

	ethtoolABitsetBitName  = 2
	ethtoolABitsetBitValue = 3
)

// FeatureHWTCOffload is the netdev feature that lets TC flower rules go to
// hardware (NETIF_F_HW_TC), as ethtool -k names it.
const FeatureHWTCOffload = "hw-tc-offload"

// FeatureState is one netdev feature as `ethtool -k` shows it.
type FeatureState struct {
	Name       string
	Active     bool // in effect now
	Wanted     bool // requested by the administrator
	Changeable bool // false is what ethtool prints as "[fixed]"
}

// features is a decoded ETHTOOL_MSG_FEATURES_GET reply: the names set in
// each bitset.
type features struct {
	hw, wanted, active, nochange map[string]bool
}

func (f features) state(name string) FeatureState {
	return FeatureState{Name: name, Active: f.active[name], Wanted: f.wanted[name], Changeable: f.hw[name] && !f.nochange[name]}
}

// decodeFeatures decodes the attributes of a FEATURES_GET reply whose
// bitsets are in the verbose form (no ETHTOOL_FLAG_COMPACT_BITSETS): every
// bitset lists bits by name; without a mask (ETHTOOL_A_BITSET_NOMASK, how
// the kernel sends all four) each listed bit is set.
func decodeFeatures(b []byte) (features, error) {
	f := features{hw: map[string]bool{}, wanted: map[string]bool{}, active: map[string]bool{}, nochange: map[string]bool{}}
	ad, err := netlink.NewAttributeDecoder(b)
	if err != nil {
		return f, err
	}
	for ad.Next() {
		var set map[string]bool
		switch ad.Type() {
		case ethtoolAFeaturesHW:
			set = f.hw
		case ethtoolAFeaturesWanted:
			set = f.wanted
		case ethtoolAFeaturesActive:
			set = f.active
		case ethtoolAFeaturesNoChange:
			set = f.nochange
		default:
			continue
		}
		ad.Nested(func(nad *netlink.AttributeDecoder) error { return decodeBitset(nad, set) })
	}
	return f, ad.Err()
}

// decodeBitset adds the names of the set bits of a verbose bitset to set.
func decodeBitset(ad *netlink.AttributeDecoder, set map[string]bool) error {
	noMask, verbose := false, false
	type bit struct {
		name  string
		value bool
	}
	var bits []bit
	for ad.Next() {
		switch ad.Type() {
		case 1: // ETHTOOL_A_BITSET_NOMASK
			noMask = true
		case ethtoolABitsetBits:
			verbose = true
			ad.Nested(func(bad *netlink.AttributeDecoder) error {
				for bad.Next() {
					if bad.Type() != ethtoolABitsetBitsBit {
						continue
					}
					var b bit
					bad.Nested(func(one *netlink.AttributeDecoder) error {
						for one.Next() {
							switch one.Type() {
							case ethtoolABitsetBitName:
								b.name = one.String()
							case ethtoolABitsetBitValue:
								b.value = true
							}
						}
						return nil
					})
					bits = append(bits, b)
				}
				return nil
			})
		}
	}
	if !verbose && len(bits) == 0 {
		// An empty bitset has no BITS attribute at all; a compact one
		// would have VALUE/MASK instead, which we never ask for.
		return nil
	}
	for _, b := range bits {
		if b.name != "" && (noMask || b.value) {
			set[b.name] = true
		}
	}
	return nil
}

// ethtoolConn is a generic netlink socket bound to the ethtool family.
type ethtoolConn struct {
	c   *genetlink.Conn
	fam genetlink.Family
}

func dialEthtool(netnsFD int) (*ethtoolConn, error) {
	c, err := dialGenl(netnsFD)
	if err != nil {
		return nil, &OpError{Op: "dial generic netlink", Object: ethtoolGenlName, Err: err}
	}
	fam, err := c.GetFamily(ethtoolGenlName)
	if err != nil {
		c.Close()
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("eswitch: kernel has no ethtool netlink interface (needs Linux 5.6+): %w", ErrNotSupported)
		}
		return nil, &OpError{Op: "resolve family", Object: ethtoolGenlName, Err: err}
	}
	return &ethtoolConn{c: c, fam: fam}, nil
}

func (e *ethtoolConn) close() error { return e.c.Close() }

func (e *ethtoolConn) execute(ctx context.Context, cmd uint8, attrs []byte, flags netlink.HeaderFlags) ([]genetlink.Message, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if dl, ok := ctx.Deadline(); ok {
		if err := e.c.SetDeadline(dl); err != nil {
			return nil, err
		}
		defer e.c.SetDeadline(zeroTime)
	}
	return e.c.Execute(genetlink.Message{Header: genetlink.Header{Command: cmd, Version: ethtoolGenlVersion}, Data: attrs}, e.fam.ID, flags)
}

func encodeEthtoolHeader(ae *netlink.AttributeEncoder, link string, flags uint32) {
	ae.Nested(ethtoolAFeaturesHeader, func(h *netlink.AttributeEncoder) error {
		h.String(ethtoolAHeaderDevName, link)
		if flags != 0 {
			h.Uint32(ethtoolAHeaderFlags, flags)
		}
		return nil
	})
}

func (e *ethtoolConn) features(ctx context.Context, link string) (features, error) {
	ae := netlink.NewAttributeEncoder()
	encodeEthtoolHeader(ae, link, 0)
	b, err := ae.Encode()
	if err != nil {
		return features{}, err
	}
	msgs, err := e.execute(ctx, ethtoolMsgFeaturesGet, b, netlink.Request)
	if err != nil {
		return features{}, linkErr("ethtool features get", link, err)
	}
	if len(msgs) != 1 {
		return features{}, &OpError{Op: "ethtool features get", Object: link, Err: fmt.Errorf("%d replies, want 1", len(msgs))}
	}
	return decodeFeatures(msgs[0].Data)
}

// encodeFeatureSet builds an ETHTOOL_MSG_FEATURES_SET request changing one
// feature: a WANTED bitset without NOMASK lists only that bit, so no other
// feature is touched; the VALUE flag is present when it is turned on. The
// header asks for no reply (ETHTOOL_FLAG_OMIT_REPLY), only the ack.
func encodeFeatureSet(link, name string, on bool) ([]byte, error) {
	ae := netlink.NewAttributeEncoder()
	encodeEthtoolHeader(ae, link, ethtoolFlagOmitReply)
	ae.Nested(ethtoolAFeaturesWanted, func(ws *netlink.AttributeEncoder) error {
		ws.Nested(ethtoolABitsetBits, func(bits *netlink.AttributeEncoder) error {
			bits.Nested(ethtoolABitsetBitsBit, func(bit *netlink.AttributeEncoder) error {
				bit.String(ethtoolABitsetBitName, name)
				if on {
					bit.Flag(ethtoolABitsetBitValue, true)
				}
				return nil
			})
			return nil
		})
		return nil
	})
	return ae.Encode()
}

func (e *ethtoolConn) setFeature(ctx context.Context, link, name string, on bool) error {
	b, err := encodeFeatureSet(link, name, on)
	if err != nil {
		return err
	}
	if _, err := e.execute(ctx, ethtoolMsgFeaturesSet, b, netlink.Request|netlink.Acknowledge); err != nil {
		return linkErr(fmt.Sprintf("ethtool features set %s %s", name, onOff(on)), link, err)
	}
	return nil
}

func onOff(on bool) string {
	if on {
		return "on"
	}
	return "off"
}

// linkErr wraps a kernel error about a link; ENODEV becomes ErrNotFound.
func linkErr(op, link string, err error) error {
	if errors.Is(err, errENODEV) {
		err = fmt.Errorf("%w (%w)", ErrNotFound, err)
	}
	return &OpError{Op: op, Object: link, Err: err}
}

// Feature reads one netdev feature of link through the ethtool netlink
// interface, as `ethtool -k link` shows it. A name the kernel does not know
// reads as off and not changeable.
func (c *Client) Feature(ctx context.Context, link, name string) (FeatureState, error) {
	if err := ifname.Validate(link); err != nil {
		return FeatureState{}, err
	}
	et, err := c.ethtool()
	if err != nil {
		return FeatureState{}, err
	}
	c.mu.Lock()
	f, err := et.features(ctx, link)
	c.mu.Unlock()
	if err != nil {
		return FeatureState{}, err
	}
	return f.state(name), nil
}

// SetFeature turns one netdev feature of link on or off (ethtool -K link
// name on|off) and checks that the kernel applied it. A feature the device
// cannot change ("[fixed]") gives ErrNotSupported before anything is sent.
func (c *Client) SetFeature(ctx context.Context, link, name string, on bool) error {
	if name == "" {
		return errors.New("eswitch: empty feature name")
	}
	st, err := c.Feature(ctx, link, name)
	if err != nil {
		return err
	}
	if st.Active == on && st.Wanted == on {
		return nil
	}
	if !st.Changeable {
		return fmt.Errorf("eswitch: %s of %s is fixed %s on this device: %w", name, link, onOff(st.Active), ErrNotSupported)
	}
	et, err := c.ethtool()
	if err != nil {
		return err
	}
	c.mu.Lock()
	err = et.setFeature(ctx, link, name, on)
	c.mu.Unlock()
	if err != nil {
		return err
	}
	st, err = c.Feature(ctx, link, name)
	if err != nil {
		return err
	}
	if st.Active != on {
		return &OpError{Op: "ethtool features set " + name + " " + onOff(on), Object: link,
			Err: fmt.Errorf("kernel kept it %s (a dependent feature or the driver refused)", onOff(st.Active))}
	}
	return nil
}

// HWTCOffload reads hw-tc-offload of link.
func (c *Client) HWTCOffload(ctx context.Context, link string) (FeatureState, error) {
	return c.Feature(ctx, link, FeatureHWTCOffload)
}

// SetHWTCOffload turns hw-tc-offload of link on or off.
func (c *Client) SetHWTCOffload(ctx context.Context, link string, on bool) error {
	return c.SetFeature(ctx, link, FeatureHWTCOffload, on)
}
