// SPDX-License-Identifier: Apache-2.0

package appctl

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// RestoreTimeout bounds how long a Window waits for the daemon while
// putting levels back.
const RestoreTimeout = 10 * time.Second

// RestoreError says that levels raised by a Window could not all be put
// back: the daemon may still log at the raised level.
type RestoreError struct {
	// Modules are the modules the window had raised.
	Modules []string
	// Dest is the destination raised.
	Dest string
	// Err is what failed.
	Err error
}

func (e *RestoreError) Error() string {
	return fmt.Sprintf("appctl: putting back the log levels of %v at %s failed: %v", e.Modules, e.Dest, e.Err)
}

// Unwrap returns the cause.
func (e *RestoreError) Unwrap() error { return e.Err }

// Window is a bounded debug window: Modules are raised to Level at Dest
// for Duration, then put back exactly as they were.
type Window struct {
	// Modules are the vlog modules to raise; those the daemon does not have
	// are skipped.
	Modules []string
	// Dest is the destination to raise; "" means DestFile.
	Dest string
	// Level is the level to raise to; "" means "dbg".
	Level string
	// Duration is how long the levels stay raised; it must be positive.
	Duration time.Duration
}

// Run raises the window's modules, calls during (if not nil) with a
// context that ends with the window (during must return when it ends: the
// levels stay raised while it runs), waits until Duration passed (or ctx
// ended), and restores the previous levels: also when ctx is cancelled or
// during fails or panics. It returns the modules it changed. The restore
// runs on a fresh connection when ctx's end broke c, bounded by
// RestoreTimeout, and its failure is part of the returned error, as a
// *RestoreError.
func (w Window) Run(ctx context.Context, c *Client, during func(ctx context.Context) error) (changed []string, err error) {
	if w.Duration <= 0 {
		return nil, fmt.Errorf("appctl: debug window of %v: want a positive duration", w.Duration)
	}
	dest, level := w.Dest, w.Level
	if dest == "" {
		dest = DestFile
	}
	if level == "" {
		level = "dbg"
	}
	changed, restore, err := c.RaiseLevels(ctx, dest, level, w.Modules...)
	if err != nil {
		return changed, err // changed: raised, then put back
	}
	defer func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), RestoreTimeout)
		defer cancel()
		if rerr := restore(rctx); rerr != nil {
			err = errors.Join(err, &RestoreError{Modules: changed, Dest: dest, Err: rerr})
		}
	}()
	wctx, cancel := context.WithTimeout(ctx, w.Duration)
	defer cancel()
	if during != nil {
		if derr := during(wctx); derr != nil && !errors.Is(derr, context.DeadlineExceeded) {
			return changed, fmt.Errorf("appctl: during the debug window: %w", derr)
		}
	}
	<-wctx.Done()
	if err := ctx.Err(); err != nil {
		return changed, fmt.Errorf("appctl: debug window cut short: %w", err)
	}
	return changed, nil
}
