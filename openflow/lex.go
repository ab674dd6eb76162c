// SPDX-License-Identifier: Apache-2.0

package openflow

// Helpers shared by the flow, match and action parsers. All of them work on
// byte offsets in one string and never allocate.

// isSpace is C's isspace in the "C" locale, as OVS uses it.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'
}

// trimSpace removes isSpace bytes from both ends of s.
func trimSpace(s string) string {
	i, j := 0, len(s)
	for i < j && isSpace(s[i]) {
		i++
	}
	for j > i && isSpace(s[j-1]) {
		j--
	}
	return s[i:j]
}

// skipSpace returns the first offset at or after i that is not white space.
func skipSpace(s string, i int) int {
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	return i
}

// valueEnd returns the end of a value starting at i: the first top-level
// comma (or white space when spaceEnds is set) outside parentheses, brackets
// and double quotes, or len(s). It returns -1 for an unbalanced or
// unterminated value.
func valueEnd(s string, i int, spaceEnds bool) int {
	depth := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == '"':
			j := i + 1
			for j < len(s) && s[j] != '"' {
				if s[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(s) {
				return -1
			}
			i = j
		case c == '(' || c == '[':
			depth++
		case c == ')' || c == ']':
			if depth == 0 {
				return -1
			}
			depth--
		case depth == 0 && (c == ',' || (spaceEnds && isSpace(c))):
			return i
		}
		i++
	}
	if depth != 0 {
		return -1
	}
	return i
}

// closeParen returns the offset of the parenthesis that closes the one just
// before i, or -1.
func closeParen(s string, i int) int {
	depth := 1
	for ; i < len(s); i++ {
		switch s[i] {
		case '"':
			j := i + 1
			for j < len(s) && s[j] != '"' {
				if s[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(s) {
				return -1
			}
			i = j
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// splitTop calls fn for each top-level comma-separated item of s[start:end]
// with its offsets, white space around items trimmed. Empty items are passed
// too (start == end).
func splitTop(s string, start, end int, fn func(a, b int) error) error {
	i := start
	for {
		i = skipSpace(s[:end], i)
		j := valueEnd(s[:end], i, false)
		if j < 0 {
			return errAt(s, i, end, "unbalanced parentheses or quotes")
		}
		k := j
		for k > i && isSpace(s[k-1]) {
			k--
		}
		if err := fn(i, k); err != nil {
			return err
		}
		if j >= end {
			return nil
		}
		i = j + 1
	}
}

// parseUint parses a decimal or 0x-prefixed hexadecimal unsigned integer
// without allocating.
func parseUint(s string, bits uint) (uint64, bool) {
	if s == "" {
		return 0, false
	}
	var v uint64
	max := uint64(1)<<bits - 1
	if bits == 64 {
		max = ^uint64(0)
	}
	if len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		s = s[2:]
		if len(s) > 16 {
			return 0, false
		}
		for i := 0; i < len(s); i++ {
			c := s[i]
			var d byte
			switch {
			case c >= '0' && c <= '9':
				d = c - '0'
			case c >= 'a' && c <= 'f':
				d = c - 'a' + 10
			case c >= 'A' && c <= 'F':
				d = c - 'A' + 10
			default:
				return 0, false
			}
			v = v<<4 | uint64(d)
		}
	} else {
		for i := 0; i < len(s); i++ {
			c := s[i]
			if c < '0' || c > '9' {
				return 0, false
			}
			n := v*10 + uint64(c-'0')
			if n/10 != v {
				return 0, false
			}
			v = n
		}
	}
	if v > max {
		return 0, false
	}
	return v, true
}

// trimLeft removes isSpace bytes from the start of s.
func trimLeft(s string) string {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	return s[i:]
}
