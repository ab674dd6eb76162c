// SPDX-License-Identifier: Apache-2.0

package offload_test

import (
	"context"
	"strings"
	"testing"

	_ "github.com/ovsoffload/ovsoffload/doca"
	"github.com/ovsoffload/ovsoffload/offload"
	"github.com/ovsoffload/ovsoffload/ovsdb"
	"github.com/ovsoffload/ovsoffload/ovstest"
)

func TestPlanWarnsAboutDatapathsTheBackendCannotOffload(t *testing.T) {
	b, err := offload.New("doca", nil)
	if err != nil {
		t.Fatal(err)
	}
	if w := offload.DatapathWarning(b, ovsdb.DatapathNetdev); w != "" {
		t.Errorf("doca on netdev warns: %q", w)
	}
	w := offload.DatapathWarning(b, ovsdb.DatapathSystem)
	if !strings.Contains(w, "backend doca offloads the netdev datapath only") {
		t.Errorf("doca on system: warning %q", w)
	}

	ctx := context.Background()
	db, err := ovsdb.Dial(ctx, ovstest.StartInProcessDB(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	spec := offload.NodeSpec{Backend: b, UplinkBridge: offload.UplinkBridge{Name: "brp0", Uplink: "p0", DatapathType: "system"}}
	plan, err := offload.Plan(ctx, &offload.Node{DB: db}, spec)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Warnings) != 1 || plan.Warnings[0] != w {
		t.Errorf("plan warnings %q, want [%q]", plan.Warnings, w)
	}
	if !strings.Contains(plan.String(), "ensure-port brp0/p0: add, type=doca") {
		t.Errorf("doca plugs p0 as a type=doca port:\n%s", plan)
	}
}
