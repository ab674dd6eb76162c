// SPDX-License-Identifier: Apache-2.0

package openflow

import (
	"fmt"

	"github.com/ovsoffload/ovsoffload"
	"github.com/ovsoffload/ovsoffload/internal/textsafe"
)

// ErrNotSupported reports a request the package, or the pinned go-openvswitch
// library under it, cannot carry out. It is the module's shared
// ovsoffload.ErrNotSupported, the same value in every package.
var ErrNotSupported = ovsoffload.ErrNotSupported

// ParseError reports text that could not be parsed.
type ParseError struct {
	Line   int    // 1-based line number; 0 when the text was not read from a stream
	Column int    // 1-based byte column in the line where the problem starts
	Text   string // the offending text
	Msg    string // what is wrong
}

// Error formats the position, the problem and the offending text.
func (e *ParseError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("openflow: line %d, column %d: %s: %q", e.Line, e.Column, e.Msg, e.Text)
	}
	return fmt.Sprintf("openflow: column %d: %s: %q", e.Column, e.Msg, e.Text)
}

func errAt(s string, off, end int, msg string) *ParseError {
	if end > len(s) {
		end = len(s)
	}
	if off > end {
		off = end
	}
	return &ParseError{Column: off + 1, Text: s[off:end], Msg: msg}
}

// checkLine returns a *ParseError at the first control character or invalid
// UTF-8 byte of s, text that a one-line flow never holds.
func checkLine(s string) *ParseError {
	off, what := textsafe.Check(s)
	if off < 0 {
		return nil
	}
	msg := what + " in a flow (a flow is one line of printable UTF-8 text)"
	if s[off] == 0 || s[off] == 0xff || s[off] == 0xfe {
		msg += "; UTF-16 input? convert it to UTF-8"
	}
	return errAt(s, off, off+40, msg)
}
