// SPDX-License-Identifier: Apache-2.0

// Command offload-exporter publishes what offload-check finds as Prometheus
// metrics, so offload can be watched and alerted on rather than checked by
// hand:
//
//	offload-exporter [--db unix:PATH] [--target CTL] [--backend auto|tc|doca|none]
//	                 [--listen 127.0.0.1:9476] [--interval 30s] [--min-interval 5s]
//	                 [--timeout 30s] [--read-timeout 10s] [--write-timeout 30s] [--idle-timeout 60s]
//	                 [--from-file DUMP] [--once] [--per-flow]
//
// It verifies the node's datapath flows with its offload backend
// (Backend.Verify) on its own schedule: every --interval, each wait varied
// by up to a tenth at random so the exporters of many nodes do not scan in
// step, and early when a scrape finds the last scan older than
// --min-interval. Each scan has --timeout to finish; one that does not is
// counted as an error at its deadline (a backend that ignores the deadline
// is left to finish, and no second scan starts before it does). A scrape
// never waits for a scan: it serves the last result, and the age gauge says
// how old it is. The HTTP server closes a connection whose request takes
// longer than --read-timeout to arrive, whose response takes longer than
// --write-timeout, or that stays idle between requests longer than
// --idle-timeout, and refuses request headers over 16 KiB. Every duration
// must be > 0 (--min-interval >= 0). It serves on /metrics:
//
//	ovsoffload_flows{state,dp}                          flows of the node
//	ovsoffload_port_flows{port,representor,pod,state,dp} flows entering through each port
//	ovsoffload_pod_flows{pod,state,dp}                  flows entering through each pod's ports
//	ovsoffload_flow_reasons{reason}                     flows giving each reason for not being in hardware
//	ovsoffload_port_packets{port,representor,pod,path}  packets counted by the hardware (path="hw") and in
//	                                                    software (path="sw"), from layers that split them (TC)
//	ovsoffload_port_flows_traffic_in_software{port,representor,pod}
//	                                                    flows in hardware whose software packets grew
//	                                                    since the previous scan
//	ovsoffload_flow_packets{ufid,port,pod,state,path}   per flow, with --per-flow only
//	ovsoffload_last_scan_success_age_seconds            +Inf until a scan succeeds
//	ovsoffload_last_scan_success_timestamp_seconds
//	ovsoffload_scan_duration_seconds                    of the last scan
//	ovsoffload_scans_total, ovsoffload_scan_errors_total
//	ovsoffload_info{backend}
//
// After a failed scan the flow series keep the last successful scan's values;
// the age gauge says how old they are. --once scans once, prints the metrics
// in the text exposition format and exits (2 when the scan failed).
//
// It uses a registry of its own (not prometheus.DefaultRegisterer) and a
// collector that builds constant metrics from the last Report, so a scrape
// never sees half of one scan and half of the next.
package main
