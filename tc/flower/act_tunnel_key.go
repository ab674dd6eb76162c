// SPDX-License-Identifier: Apache-2.0

package flower

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
)

// tunnel_key: set or release tunnel metadata (struct tc_tunnel_key: tc_gen,
// t_action; then the TCA_TUNNEL_KEY_ENC_* attributes).
var kindTunnelKey = kind{
	name:     "tunnel_key",
	parms:    []uint16{kindParms},
	tm:       kindTM,
	pad:      8, // TCA_TUNNEL_KEY_PAD
	field:    "TunnelKey",
	hasField: func(a *Action) bool { return a.TunnelKey != nil },
	init:     func(a *Action) { a.TunnelKey = &TunnelKey{} },
	encode: func(e *enc, a *Action) {
		t := a.TunnelKey
		p := binary.NativeEndian.AppendUint32(tcGen(a.Index, a.Verdict), uint32(t.Op))
		e.attr(kindParms, p)
		if t.Op != TunnelKeySet {
			return
		}
		addr := func(v4, v6 uint16, ip netip.Addr) {
			if !ip.IsValid() {
				return
			}
			if ip.Is4() {
				e.attr(v4, ip.AsSlice())
			} else {
				e.attr(v6, ip.AsSlice())
			}
		}
		addr(tunnelKeyEncIPv4Src, tunnelKeyEncIPv6Src, t.Src)
		addr(tunnelKeyEncIPv4Dst, tunnelKeyEncIPv6Dst, t.Dst)
		if t.KeyID != nil {
			e.be32(tunnelKeyEncKeyID, *t.KeyID)
		}
		if t.DstPort != 0 {
			e.be16(tunnelKeyEncDstPort, t.DstPort)
		}
		var nocsum uint8
		if t.NoCsum {
			nocsum = 1
		}
		e.u8(tunnelKeyNoCsum, nocsum)
		if t.TOS != 0 {
			e.u8(tunnelKeyEncTOS, t.TOS)
		}
		if t.TTL != 0 {
			e.u8(tunnelKeyEncTTL, t.TTL)
		}
		if len(t.Opts) > 0 {
			e.nest(tunnelKeyEncOpts, func() { e.b = append(e.b, t.Opts...) })
		}
	},
	decodeParms: func(where string, data []byte, a *Action) error {
		op, err := parmsU32(where, data, 20)
		a.TunnelKey.Op = TunnelKeyOp(op)
		return err
	},
	decodeAttr: func(where string, typ uint16, data []byte, a *Action, _ *actState) (bool, error) {
		t := a.TunnelKey
		ip := func(n int, dst *netip.Addr) (bool, error) {
			if err := size(where, "", data, n); err != nil {
				return true, err
			}
			*dst, _ = netip.AddrFromSlice(data)
			return true, nil
		}
		switch typ {
		case tunnelKeyEncIPv4Src:
			return ip(4, &t.Src)
		case tunnelKeyEncIPv4Dst:
			return ip(4, &t.Dst)
		case tunnelKeyEncIPv6Src:
			return ip(16, &t.Src)
		case tunnelKeyEncIPv6Dst:
			return ip(16, &t.Dst)
		case tunnelKeyEncKeyID:
			if err := size(where, "/key_id", data, 4); err != nil {
				return true, err
			}
			v := binary.BigEndian.Uint32(data)
			t.KeyID = &v
			return true, nil
		case tunnelKeyEncDstPort:
			if err := size(where, "", data, 2); err != nil {
				return true, err
			}
			t.DstPort = binary.BigEndian.Uint16(data)
			return true, nil
		case tunnelKeyNoCsum:
			if err := size(where, "/no_csum", data, 1); err != nil {
				return true, err
			}
			t.NoCsum = data[0] != 0
			return true, nil
		case tunnelKeyEncTOS, tunnelKeyEncTTL:
			if err := size(where, "/tos_ttl", data, 1); err != nil {
				return true, err
			}
			if typ == tunnelKeyEncTOS {
				t.TOS = data[0]
			} else {
				t.TTL = data[0]
			}
			return true, nil
		case tunnelKeyEncOpts:
			t.Opts = append([]byte(nil), data...)
			return true, nil
		}
		return false, nil
	},
	check: func(a *Action) error {
		t := a.TunnelKey
		if t.Op != TunnelKeySet && t.Op != TunnelKeyRelease {
			return fmt.Errorf("bad tunnel_key op %d", t.Op)
		}
		if t.Op == TunnelKeySet && t.Src.IsValid() && t.Dst.IsValid() && t.Src.Is4() != t.Dst.Is4() {
			return errors.New("tunnel_key src and dst are not the same family")
		}
		return nil
	},
}
