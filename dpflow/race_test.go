//go:build race

package dpflow

const raceEnabled = true
