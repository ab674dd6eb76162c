// SPDX-License-Identifier: Apache-2.0

package textsafe

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCheck(t *testing.T) {
	tests := []struct {
		in   string
		off  int
		what string
	}{
		{"", -1, ""},
		{"in_port(1),eth_type(0x0800), packets:0, bytes:0, used:never, actions:drop", -1, ""},
		{"pé名", -1, ""},
		{"priority=10 actions=output:2\npriority=65535 actions=drop", 28, "line feed"},
		{"a\rb", 1, "carriage return"},
		{"0123456789abcdef\x00", 16, "NUL"},
		{"\ta", 0, "tab"},
		{"0123456789\x7f", 10, "DEL"},
		{"in_port(pf0\x1b]0;pwned\x07)", 11, "escape"},
		{"abcdefgh\xff\xfe", 8, "invalid UTF-8 byte 0xff"},
		{"abc\xc3", 3, "invalid UTF-8"},
		{"\xef\xbb\xbfok", 0, "byte order mark"},
		{"ok\ufeff", 2, "byte order mark"},
	}
	for _, tt := range tests {
		off, what := Check(tt.in)
		if off != tt.off || !strings.Contains(what, tt.what) {
			t.Errorf("Check(%q) = %d, %q; want %d, %q", tt.in, off, what, tt.off, tt.what)
		}
	}
	// Every single byte at every position of an 8-byte block and its tail.
	for c := 0; c < 256; c++ {
		for pos := 0; pos < 17; pos++ {
			b := []byte(strings.Repeat("a", 17))
			b[pos] = byte(c)
			off, _ := Check(string(b))
			bad := c < 0x20 || c >= 0x7f
			if bad && off != pos || !bad && off != -1 {
				t.Fatalf("Check with byte %#x at %d: offset %d", c, pos, off)
			}
		}
	}
}

func TestEscape(t *testing.T) {
	tests := []struct{ in, want string }{
		{"default/testpod1", "default/testpod1"},
		{"pé名", "pé名"},
		{"evil\x1b[2J", `evil\x1b[2J`},
		{"pf0\x1b]0;pwned\a\x1b[2J", `pf0\x1b]0;pwned\x07\x1b[2J`},
		{"a\tb\nc\rd\x00\x7f", `a\tb\nc\rd\x00\x7f`},
		{"\xff\xfeq\x00", `\xff\xfeq\x00`},
		{"csi\u009b2J", `csi\u009b2J`},
		{"rtl\u202egpj.exe", `rtl\u202egpj.exe`},
		{`back\slash`, `back\slash`},
		{"tag\U000e0001", `tag\udb40\udc01`},
	}
	for _, tt := range tests {
		got := Escape(tt.in)
		if got != tt.want {
			t.Errorf("Escape(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if !Printable(got) || !utf8.ValidString(got) {
			t.Errorf("Escape(%q) = %q is not printable", tt.in, got)
		}
	}
}

func FuzzEscape(f *testing.F) {
	f.Add("evil\x1b[2J")
	f.Add("\xff\u202e")
	f.Fuzz(func(t *testing.T, s string) {
		e := Escape(s)
		if !Printable(e) {
			t.Fatalf("Escape(%q) = %q holds non-printable text", s, e)
		}
		if off, _ := Check(s); (off < 0) != (strings.IndexFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f || r == utf8.RuneError }) < 0 || strings.Contains(s, "\uFFFD") && off < 0) {
			t.Fatalf("Check(%q) = %d disagrees with a rune scan", s, off)
		}
	})
}

func TestWriter(t *testing.T) {
	in := "pod evil\x1b[2J\tport pf0\u009b2J\u202e\xff é\U000e0001\r\n"
	want := `pod evil\x1b[2J` + "\t" + `port pf0\u009b2J\u202e\xff é\udb40\udc01\r` + "\n"
	var whole bytes.Buffer
	w := NewWriter(&whole)
	if n, err := w.Write([]byte(in)); n != len(in) || err != nil {
		t.Fatalf("Write = %d, %v", n, err)
	}
	if whole.String() != want {
		t.Errorf("got  %q\nwant %q", whole.String(), want)
	}
	// Byte by byte: split UTF-8 sequences are escaped whole, or kept.
	var split bytes.Buffer
	w = NewWriter(&split)
	for i := range len(in) {
		w.Write([]byte{in[i]})
	}
	w.Flush()
	if split.String() != want {
		t.Errorf("byte by byte:\n got %q\nwant %q", split.String(), want)
	}
	// An unfinished sequence at the end is written by Flush.
	var tail bytes.Buffer
	w = NewWriter(&tail)
	w.Write([]byte("ab\xe2\x80"))
	w.Flush()
	if tail.String() != `ab\xe2\x80` {
		t.Errorf("unfinished tail: %q", tail.String())
	}
	// JSON through the Writer means the same, and is printable.
	v := map[string]string{"pod": "evil\x1b[2J\u009b\u202e\U000e0001é"}
	b, _ := json.MarshalIndent(v, "", "\t")
	var out bytes.Buffer
	NewWriter(&out).Write(b)
	var back map[string]string
	if err := json.Unmarshal(out.Bytes(), &back); err != nil || back["pod"] != v["pod"] {
		t.Errorf("JSON through the Writer: %v, %q", err, back)
	}
	if !Printable(strings.NewReplacer("\n", "", "\t", "").Replace(out.String())) {
		t.Errorf("JSON through the Writer is not printable: %q", out.String())
	}
}
