// SPDX-License-Identifier: Apache-2.0

package offload

import (
	"strings"

	"github.com/ovsoffload/ovsoffload/dpflow"
)

// ReasonDatapathOffloadInfo: the datapath said itself why the flow is not
// (fully) offloaded, in the dump: OVS-DOCA's dp-offload-info field (for
// example "match unsupported: ..."). The reason's text is that field.
const ReasonDatapathOffloadInfo ReasonCode = "dp-offload-info"

// offloadInfoReason returns the reason carried by f's dp-offload-info, if it
// has one and the flow is not in hardware. The text is copied: a streamed
// flow's strings point into the Scanner's buffers.
func offloadInfoReason(f *dpflow.Flow, st State) (Reason, bool) {
	if st == InHardware {
		return Reason{}, false
	}
	info := f.OffloadInfo()
	if info == "" {
		return Reason{}, false
	}
	return Reason{ReasonDatapathOffloadInfo, "dp-offload-info: " + strings.Clone(info)}, true
}
