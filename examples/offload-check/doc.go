// Command offload-check is the seed guide's validation step as one command.
// The guide checks offload by eye:
//
//	ovs-appctl dpctl/dump-flows type=offloaded
//
// offload-check finds a pod's interface in OVS (by iface-id, by the pod name
// in its external_ids, or by port name), dumps the datapath flows, asks the
// node's offload backend which of them are in hardware and why the others
// are not, and prints the verdict of every flow that enters through the pod's
// port or leaves through it:
//
//	offload-check [--db unix:PATH] [--target CTL] [--pod [NS/]NAME | --iface-id ID | --port NAME]
//	              [--backend auto|tc|doca|none] [--json] [--from-file DUMP [--max-line BYTES]]
//
// --from-file streams a saved dump: the flows are read one at a time (twice
// with --backend tc), never held, and a line longer than --max-line bytes
// (1 MiB by default) is an error naming the line. Names and messages in the
// text output have their non-printable characters escaped (a pod name
// "evil\x1b[2J" cannot clear the screen); --json is JSON, escaped as JSON is.
//
// Without a selection it checks every flow of the node. Exit status: 0 when
// every selected flow is verified in hardware, 1 when some are not or there
// is no flow to check, 2 on error.
//
// The library calls, in order: ovsdb.Dial and the Port lookups that find the
// pod's ports (selection.go); offload.New for the backend, Backend.Verify for
// the Report; Report.Select to narrow it; Report.WriteTable to print it.
package main
