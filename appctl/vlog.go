// SPDX-License-Identifier: Apache-2.0

package appctl

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Log destinations of OVS's vlog.
const (
	DestConsole = "console"
	DestSyslog  = "syslog"
	DestFile    = "file"
)

// vlogLevels are the levels vlog/list prints, lowest verbosity first.
var vlogLevels = []string{"off", "emer", "err", "warn", "info", "dbg"}

// Levels is what vlog/list prints: for each module, its level per
// destination ("off", "emer", "err", "warn", "info", "dbg", in lower case,
// as vlog/set takes them).
type Levels map[string]map[string]string

// Level returns the level of module at dest, or "" when either is unknown.
func (l Levels) Level(module, dest string) string { return l[module][dest] }

// ParseVlogList reads the table vlog/list prints (OVS lib/vlog.c,
// vlog_get_levels): a header naming the destinations, a line of dashes, and
// one line per module. Any other shape is an error naming the line.
func ParseVlogList(text string) (Levels, error) {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	if len(lines) < 2 {
		return nil, fmt.Errorf("appctl: vlog/list: %d lines, want a header, dashes and modules", len(lines))
	}
	dests := strings.Fields(lines[0])
	if len(dests) == 0 || len(dests) > 8 {
		return nil, fmt.Errorf("appctl: vlog/list: header %.80q does not name destinations", lines[0])
	}
	for _, d := range dests {
		if strings.ContainsFunc(d, isControl) {
			return nil, fmt.Errorf("appctl: vlog/list: header %.80q does not name destinations", lines[0])
		}
	}
	if f := strings.Fields(lines[1]); len(f) != len(dests) || strings.Trim(lines[1], "- ") != "" {
		return nil, fmt.Errorf("appctl: vlog/list: line 2 %.80q: want dashes under each destination", lines[1])
	}
	out := Levels{}
	for i, line := range lines[2:] {
		f := strings.Fields(line)
		if len(f) < 1+len(dests) {
			return nil, fmt.Errorf("appctl: vlog/list: line %d %.80q: want a module and %d levels", i+3, line, len(dests))
		}
		mod := f[0]
		if strings.ContainsFunc(mod, isControl) || strings.ContainsAny(mod, ":") {
			return nil, fmt.Errorf("appctl: vlog/list: line %d: bad module name %.80q", i+3, mod)
		}
		if _, dup := out[mod]; dup {
			return nil, fmt.Errorf("appctl: vlog/list: line %d: module %s listed twice", i+3, mod)
		}
		m := make(map[string]string, len(dests))
		for j, d := range dests {
			lv := strings.ToLower(f[1+j])
			if !slices.Contains(vlogLevels, lv) {
				return nil, fmt.Errorf("appctl: vlog/list: line %d: module %s: %.20q is not a level", i+3, mod, f[1+j])
			}
			m[d] = lv
		}
		out[mod] = m
	}
	return out, nil
}

// VlogList runs vlog/list and parses it.
func (c *Client) VlogList(ctx context.Context) (Levels, error) {
	text, err := c.Call(ctx, "vlog/list")
	if err != nil {
		return nil, err
	}
	return ParseVlogList(text)
}

// VlogSet sets module's level at dest (vlog/set module:dest:level).
func (c *Client) VlogSet(ctx context.Context, module, dest, level string) error {
	for _, s := range []string{module, dest, level} {
		if s == "" || strings.ContainsAny(s, ": \t\n") || strings.ContainsFunc(s, isControl) {
			return fmt.Errorf("appctl: vlog/set: bad word %q in %s:%s:%s", s, module, dest, level)
		}
	}
	_, err := c.Call(ctx, "vlog/set", module+":"+dest+":"+level)
	return err
}

// Restore puts levels back. It keeps working after the context that raised
// them ended.
type Restore func(ctx context.Context) error

// RaiseLevels sets each of modules that the daemon has to level at dest
// (for example "dbg" at "file") and returns the modules it changed and a
// Restore that sets each back to the exact level vlog/list showed before.
// Modules the daemon does not have (another OVS version's names) are
// skipped. When a vlog/set fails midway, the ones already changed (and the
// one whose set was cut short, which may have been applied) are put back
// before the error is returned, so nothing is left half-applied: the error
// then comes with those modules (and a nil Restore), or is a *RestoreError
// when putting them back failed.
// Restore must be called once; it tries every module even when one fails,
// and returns the errors joined.
func (c *Client) RaiseLevels(ctx context.Context, dest, level string, modules ...string) ([]string, Restore, error) {
	if !slices.Contains(vlogLevels, level) {
		return nil, nil, fmt.Errorf("appctl: level %q: want one of %v", level, vlogLevels)
	}
	before, err := c.VlogList(ctx)
	if err != nil {
		return nil, nil, err
	}
	var changed []string
	prev := map[string]string{}
	restore := func(ctx context.Context) error {
		if len(changed) == 0 {
			return nil
		}
		rc, err := c.usable()
		if err != nil {
			return fmt.Errorf("appctl: restoring levels of %v: %w", changed, err)
		}
		if rc != c {
			defer rc.Close()
		}
		var errs []error
		for _, m := range slices.Backward(changed) {
			if err := rc.VlogSet(ctx, m, dest, prev[m]); err != nil {
				errs = append(errs, fmt.Errorf("restoring %s:%s:%s: %w", m, dest, prev[m], err))
			}
		}
		return errors.Join(errs...)
	}
	for _, m := range slices.Sorted(maps.Keys(set(modules))) {
		old, ok := before[m][dest]
		if !ok {
			if _, known := before[m]; known {
				return nil, nil, errors.Join(fmt.Errorf("appctl: destination %q is not in vlog/list", dest), restore(context.WithoutCancel(ctx)))
			}
			continue
		}
		if old == level {
			continue
		}
		// A set cut short (its context ended after the request was sent)
		// may have been applied: it is restored with the others.
		prev[m] = old
		changed = append(changed, m)
		if err := c.VlogSet(ctx, m, dest, level); err != nil {
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), RestoreTimeout)
			rerr := restore(rctx)
			cancel()
			if rerr != nil {
				return nil, nil, errors.Join(err, &RestoreError{Modules: slices.Clone(changed), Dest: dest, Err: rerr})
			}
			return slices.Clone(changed), nil, err
		}
	}
	done := false
	return slices.Clone(changed), func(ctx context.Context) error {
		if done {
			return nil
		}
		done = true
		return restore(ctx)
	}, nil
}

// usable returns c, or a new connection to the same socket when a call on c
// was cut short (its context ended) and c cannot be used again.
func (c *Client) usable() (*Client, error) {
	c.mu.Lock()
	broken := c.broken
	c.mu.Unlock()
	if broken == nil {
		return c, nil
	}
	return Dial(c.path)
}

func set(ss []string) map[string]bool {
	m := make(map[string]bool, len(ss))
	for _, s := range ss {
		m[s] = true
	}
	return m
}
