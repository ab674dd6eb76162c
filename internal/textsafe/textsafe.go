// SPDX-License-Identifier: Apache-2.0

// Package textsafe guards text that crosses a trust boundary: Check finds
// the bytes a one-line flow must not hold (control characters, invalid
// UTF-8), and Escape makes any string safe to print on a terminal.
//
// The parsers (dpflow, openflow) use Check so that a newline cannot smuggle
// a second flow into ovs-ofctl's input and a UTF-16 dump is refused instead
// of being parsed into NUL-filled names. The human-readable output of the
// examples and of offload.Report.WriteTable uses Escape so that a name read
// from a dump or from OVSDB cannot send escape sequences to the terminal.
package textsafe

import (
	"encoding/binary"
	"io"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// Check returns the byte offset of the first C0 control character (0x00 to
// 0x1f, tab included), DEL (0x7f), invalid UTF-8 sequence or byte order mark
// (U+FEFF, invisible, left by editors that save UTF-8 with a BOM) in s, and
// what it is; it returns -1 and "" when s has none.
func Check(s string) (off int, what string) {
	// Thirty-two bytes a round while they are printable ASCII, the usual
	// case. (The little-endian loads compile to one move each; b aliases s
	// and is only read.)
	b := unsafe.Slice(unsafe.StringData(s), len(s))
	i := 0
	for r := b; len(r) >= 32; r = r[32:] {
		if flagged(binary.LittleEndian.Uint64(r))|flagged(binary.LittleEndian.Uint64(r[8:]))|
			flagged(binary.LittleEndian.Uint64(r[16:]))|flagged(binary.LittleEndian.Uint64(r[24:])) != 0 {
			break
		}
		i += 32
	}
	for r := b[i:]; len(r) >= 8 && flagged(binary.LittleEndian.Uint64(r)) == 0; r = r[8:] {
		i += 8
	}
	for i < len(s) {
		c := s[i]
		if c >= 0x20 && c < 0x7f {
			i++
			continue
		}
		if c < 0x80 {
			return i, Describe(c)
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n <= 1 {
			return i, "invalid UTF-8 byte " + hexByte(c)
		}
		if r == 0xfeff {
			return i, "byte order mark U+FEFF (save the text as UTF-8 without a BOM)"
		}
		i += n
	}
	return -1, ""
}

// flagged returns a word with the high bit set in some byte when one of
// x's eight bytes is >= 0x80, < 0x20 or == 0x7f, and 0 when all are
// printable ASCII. (It may flag a printable byte above a flagged one, as
// borrows carry; Check then looks byte by byte.)
func flagged(x uint64) uint64 {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	// x: >= 0x80; x+lo: 0x7f (and up); x-0x20*lo: below 0x20. Carries and
	// borrows only move upward, so the lowest bad byte is always flagged.
	return (x | (x + lo) | (x - 0x20*lo)) & hi
}

// Describe names an ASCII control byte: "NUL byte (0x00)",
// "control character 0x0a (line feed)", ...
func Describe(c byte) string {
	switch c {
	case 0:
		return "NUL byte (0x00)"
	case '\n':
		return "control character 0x0a (line feed)"
	case '\r':
		return "control character 0x0d (carriage return)"
	case '\t':
		return "control character 0x09 (tab)"
	case 0x1b:
		return "control character 0x1b (escape)"
	case 0x7f:
		return "control character 0x7f (DEL)"
	}
	return "control character " + hexByte(c)
}

func hexByte(c byte) string {
	const digits = "0123456789abcdef"
	return string([]byte{'0', 'x', digits[c>>4], digits[c&15]})
}

// Printable reports whether s is valid UTF-8 made only of printable
// characters (unicode.IsPrint: letters, marks, numbers, punctuation,
// symbols and the ASCII space), so that Escape returns it unchanged.
func Printable(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7f {
			i++
			continue
		}
		if c < 0x80 {
			return false
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n <= 1 || !unicode.IsPrint(r) {
			return false
		}
		i += n
	}
	return true
}

// Escape returns s with every byte or character that is not printable
// written as an escape, so that printing it cannot move the cursor, clear
// the screen, set the window title or reorder text: C0 controls, DEL and
// invalid UTF-8 bytes as \xNN (tab, line feed and carriage return as \t, \n,
// \r), other non-printable characters (C1 controls, bidirectional
// overrides, ...) as \uNNNN or \UNNNNNNNN. Printable text comes back
// unchanged, backslashes included, so that text already quoted (%q) is not
// escaped twice.
func Escape(s string) string {
	if Printable(s) {
		return s
	}
	return string(AppendEscape(make([]byte, 0, len(s)+16), s))
}

// AppendEscape appends Escape(s) to b.
func AppendEscape(b []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7f {
			b = append(b, c)
			i++
			continue
		}
		if c < 0x80 {
			switch c {
			case '\t':
				b = append(b, `\t`...)
			case '\n':
				b = append(b, `\n`...)
			case '\r':
				b = append(b, `\r`...)
			default:
				b = append(b, `\x`...)
				b = append(b, hexByte(c)[2:]...)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			b = append(b, `\x`...)
			b = append(b, hexByte(c)[2:]...)
		case unicode.IsPrint(r):
			b = append(b, s[i:i+n]...)
		default:
			b = appendU(b, r)
		}
		i += n
	}
	return b
}

// appendU appends r as \uNNNN, or as a surrogate pair \uNNNN\uNNNN above
// U+FFFF, as JSON writes it.
func appendU(b []byte, r rune) []byte {
	if r > 0xffff {
		r1, r2 := utf16.EncodeRune(r)
		return appendU(appendU(b, r1), r2)
	}
	const digits = "0123456789abcdef"
	return append(b, '\\', 'u', digits[r>>12&15], digits[r>>8&15], digits[r>>4&15], digits[r&15])
}

// Writer escapes, as Escape does, whatever it writes to the underlying
// writer, except line feeds and tabs, which pass through: output made for
// people (messages, tables already aligned) can go through it whole. On
// JSON that encoding/json wrote, the only characters it escapes are
// non-printable characters inside strings, written \uNNNN: the JSON means
// the same. A UTF-8 sequence split between two writes is escaped whole;
// Flush writes an unfinished one at the end.
type Writer struct {
	w    io.Writer
	pend []byte // the start of a UTF-8 sequence the next write may finish
	buf  []byte
}

// NewWriter returns a Writer writing to w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w} }

// Write escapes p and writes it. It reports len(p) on success.
func (sw *Writer) Write(p []byte) (int, error) {
	data := p
	if len(sw.pend) > 0 {
		data = append(sw.pend, p...)
		sw.pend = nil
	}
	// Keep an unfinished sequence at the end for the next write.
	for k := 1; k <= 3 && k <= len(data); k++ {
		c := data[len(data)-k]
		if c < 0x80 {
			break
		}
		if c >= 0xc0 { // a leading byte
			if !utf8.FullRune(data[len(data)-k:]) {
				sw.pend = append([]byte(nil), data[len(data)-k:]...)
				data = data[:len(data)-k]
			}
			break
		}
	}
	sw.buf = sw.buf[:0]
	for len(data) > 0 {
		i := 0
		for i < len(data) && (data[i] == '\n' || data[i] == '\t') {
			i++
		}
		sw.buf = append(sw.buf, data[:i]...)
		data = data[i:]
		j := 0
		for j < len(data) && data[j] != '\n' && data[j] != '\t' {
			j++
		}
		seg := string(data[:j])
		if Printable(seg) {
			sw.buf = append(sw.buf, seg...)
		} else {
			sw.buf = AppendEscape(sw.buf, seg)
		}
		data = data[j:]
	}
	if _, err := sw.w.Write(sw.buf); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Flush writes, escaped, an unfinished UTF-8 sequence left by the last
// write.
func (sw *Writer) Flush() error {
	if len(sw.pend) == 0 {
		return nil
	}
	b := AppendEscape(nil, string(sw.pend))
	sw.pend = nil
	_, err := sw.w.Write(b)
	return err
}
