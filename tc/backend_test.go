// SPDX-License-Identifier: Apache-2.0

package tc

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ovsoffload/ovsoffload/dpflow"
	"github.com/ovsoffload/ovsoffload/offload"
	"github.com/ovsoffload/ovsoffload/ovstest"
)

// With a CounterWindow, Verify reads the filters twice; the wait between
// the reads honours the context, and a negative window is refused.
func TestVerifyCounterWindow(t *testing.T) {
	_, err := NewBackend(BackendConfig{CounterWindow: -time.Second})
	if err == nil {
		t.Fatal("negative counter window accepted")
	}
	node := &offload.Node{DB: ovstest.DialInProcess(t), Dump: func(context.Context) ([]*dpflow.Flow, error) {
		return nil, nil
	}}
	b, err := NewBackend(BackendConfig{CounterWindow: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := b.Verify(ctx, node); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Verify with an expired context during the window: %v", err)
	}
	if d := time.Since(start); d > 30*time.Second {
		t.Fatalf("Verify waited %v past its context", d)
	}
	b, err = NewBackend(BackendConfig{CounterWindow: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Verify(context.Background(), node); err != nil {
		t.Fatalf("Verify with a short window: %v", err)
	}
}
