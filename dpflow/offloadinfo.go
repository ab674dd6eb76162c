// SPDX-License-Identifier: Apache-2.0

package dpflow

// FieldDPOffloadInfo is the field OVS-DOCA adds to a flow it could not (or
// could only partly) offload, saying why: dp-offload-info:'...'. It is kept
// as one of the flow's Fields, as every name:value part OVS does not print.
const FieldDPOffloadInfo = "dp-offload-info"

// OffloadInfo returns OVS-DOCA's dp-offload-info for the flow with its
// quotes removed, "" when the line has none.
func (f *Flow) OffloadInfo() string {
	x, ok := f.Field(FieldDPOffloadInfo)
	if !ok {
		return ""
	}
	v := x.Value
	if len(v) >= 2 && (v[0] == '\'' || v[0] == '"') && v[len(v)-1] == v[0] {
		v = v[1 : len(v)-1]
	}
	return v
}
