package openflow_test

import (
	"fmt"

	"github.com/ovsoffload/ovsoffload/openflow"
)

func Example() {
	line := "cookie=0x5adc15c0, duration=12.345s, table=44, n_packets=3, n_bytes=294, idle_age=2, " +
		"priority=2002,ct_state=+new-est+trk,ip,reg15=0x3,metadata=0x1 " +
		"actions=load:0x1->NXM_NX_XXREG0[97],ct(commit,zone=NXM_NX_REG13[0..15],exec(load:0->NXM_NX_CT_LABEL[0])),resubmit(,45)"
	f, err := openflow.Parse(line)
	if err != nil {
		panic(err)
	}
	fmt.Println(f.Table, f.Priority, f.Packets, f.Duration)
	for i, m := range f.Match {
		if i > 0 {
			fmt.Print(" ")
		}
		fmt.Printf("%s[%s]", m.Name, m.Kind())
	}
	fmt.Println()
	for _, a := range f.Actions {
		switch a := a.(type) {
		case *openflow.CT:
			fmt.Println("ct zone", a.Zone, "commit", a.Commit, "exec", openflow.FormatAction(a.Exec[0]))
		case *openflow.Resubmit:
			fmt.Println("resubmit to table", a.Table)
		default:
			fmt.Println(openflow.FormatAction(a))
		}
	}
	fmt.Println(openflow.Format(f) == line)
	// Output:
	// 44 2002 3 12.345s
	// ct_state[flags] ip[protocol] reg15[integer] metadata[integer]
	// load:0x1->NXM_NX_XXREG0[97]
	// ct zone NXM_NX_REG13[0..15] commit true exec load:0->NXM_NX_CT_LABEL[0]
	// resubmit to table 45
	// true
}
