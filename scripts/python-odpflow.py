#!/usr/bin/python3
"""OVS's Python flow parser over a dpctl dump, as a whole process, for
comparison with `flowdump --stats` (mode parse) and `flowdump --json`
(mode json: json.dumps of each flow's dict). Needs the Debian packages
python3-openvswitch and python3-netaddr.

usage: python-odpflow.py parse|json FILE
"""
import json
import sys

from ovs.flow.decoders import FlowEncoder
from ovs.flow.odp import ODPFlow

mode, path = sys.argv[1], sys.argv[2]
out = sys.stdout
n = 0
for line in open(path):
    line = line.rstrip("\n")
    if not line.strip() or line.startswith("flow-dump"):
        continue
    f = ODPFlow(line)
    if mode == "json":
        out.write(json.dumps(f.dict(), cls=FlowEncoder))
        out.write("\n")
    n += 1
if mode == "parse":
    print(n)
