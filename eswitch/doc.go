// SPDX-License-Identifier: Apache-2.0

// Package eswitch is the NIC's embedded switch as Linux shows it on a
// SmartNIC or DPU node: representor discovery and lookup, identity that
// survives renames, eswitch state, and the host-side steps of the node setup.
//
// # Identity, not names
//
// A representor is found by what it is, never by what it is called: its
// switch (phys_switch_id), flavour (physical uplink, PF, VF, SF), controller
// and external flag (on a BlueField in DPU mode the host's functions are
// controller 1: phys_port_name "c1pf0vf7" behind the netdev "pf0vf7"), PF
// number and VF or SF number. [Identity] holds exactly that and is
// comparable. Identities come from the devlink port dump, decoded with
// mdlayher/genetlink because vishvananda/netlink's dump drops the PF, VF, SF
// and controller numbers and the external flag; when devlink cannot be asked
// they come from sysfs (phys_port_name, phys_switch_id), read through a small
// filesystem seam so tests run on fake trees.
//
// [Discover] returns an [Inventory]. Its lookups ([Inventory.Uplink],
// [Inventory.HostPF], [Inventory.VF], [Inventory.SF], [Inventory.Resolve],
// [Inventory.FunctionOf]) match identities and return *[AmbiguousError]
// (errors.Is ErrConflict) when two ports match, ErrNotFound when none does.
// A local "pf0vf5" never answers a question about the external "c1pf0vf5".
// The PF number of an uplink comes from devlink or phys_port_name, checked
// against the PF ports of the same device, never from the PCI function
// number (both uplinks of a BlueField-4 are PCI function 0).
//
// # Eswitch state and host steps
//
// [Client] talks to the kernel: devlink eswitch mode ([Client.EswitchMode],
// [Client.SetEswitchMode]), netdev features such as hw-tc-offload through the
// ethtool generic netlink family ([Client.Feature], [Client.SetFeature]),
// SR-IOV VF count with a bounded wait for the representors
// ([Client.SetNumVFs]), renaming a VF netdev while keeping its original name
// in the link alias ([Client.RenameLink], [Client.LinkByOriginalName]) and
// moving addresses and every route of a link (static ones, other tables, the
// default route pointed at the requested gateway) onto a bridge with
// rollback ([Client.MoveAddresses], [Moved.Undo]). [VFs] and [Driver] answer the host's questions
// from sysfs: which netdev is VF 0 of ens1f0np0, which driver a pod's
// interface has (the guide's `ethtool -i` check).
//
// # What runs where
//
// Netlink sockets (rtnetlink through vishvananda/netlink, devlink and
// ethtool through mdlayher/genetlink) are opened in the namespace
// [Config.NetNS] names. Sysfs is read through [SysFS]; /sys/class/net lists
// the netdevs of the namespace that mounted it, so pass a matching one.
package eswitch
