package ovsdb

import (
	"github.com/ovn-kubernetes/libovsdb/model"
	libovsdb "github.com/ovn-kubernetes/libovsdb/ovsdb"

	vs "github.com/ovsoffload/ovsoffload/ovsdb/internal/vswitchmodel"
)

// Schema returns the Open_vSwitch database schema the package's models were
// generated from (Open vSwitch 3.1.0, schema 8.3.1). Test servers serve it;
// see ovstest.StartInProcessDB.
func Schema() libovsdb.DatabaseSchema { return vs.Schema() }

// ClientModel returns libovsdb's client model of every table in Schema, for
// libovsdb's in-process server and for callers that want raw libovsdb access.
func ClientModel() (model.ClientDBModel, error) { return vs.FullDatabaseModel() }
