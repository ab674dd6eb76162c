// The project's development tools, kept out of the main module so that
// importers of github.com/ovsoffload/ovsoffload do not get them in their
// module graph. Run them from the repository root with
//
//	go tool -modfile=tools/go.mod staticcheck ./...
//
// (the Makefile's staticcheck and generate targets, and the go:generate
// lines, do so).
module github.com/ovsoffload/ovsoffload/tools

go 1.26

require (
	github.com/BurntSushi/toml v1.4.1-0.20240526193622-a339e1f7089c // indirect
	github.com/ovn-kubernetes/libovsdb v0.8.1 // indirect
	golang.org/x/exp/typeparams v0.0.0-20231108232855-2478ac86f678 // indirect
	golang.org/x/mod v0.31.0 // indirect
	golang.org/x/sync v0.19.0 // indirect
	golang.org/x/text v0.22.0 // indirect
	golang.org/x/tools v0.40.1-0.20260108161641-ca281cf95054 // indirect
	honnef.co/go/tools v0.7.0 // indirect
)

tool (
	github.com/ovn-kubernetes/libovsdb/cmd/modelgen
	honnef.co/go/tools/cmd/staticcheck
)
