// SPDX-License-Identifier: Apache-2.0

// Package nlio reads netlink replies with a large buffer, one datagram per
// system call, on a socket owned by a github.com/mdlayher/netlink Conn.
//
// mdlayher/netlink reads every datagram twice (a 4 KiB MSG_PEEK to size the
// buffer, then the read). With that 4 KiB buffer the kernel also sizes its
// dump datagrams to 4 KiB (netlink_recvmsg records the largest read length),
// so a dump of 10,000 TC filters takes over a thousand rounds. Reading with a
// 32 KiB buffer lets the kernel fill 32 KiB datagrams and halves the system
// calls per datagram. This package is the only place that touches the
// socket's file descriptor.
package nlio
