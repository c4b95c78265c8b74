package invite

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSMSSegments(t *testing.T) {
	a := strings.Repeat
	tests := []struct {
		name     string
		s        string
		segments int
		gsm7     bool
	}{
		{"empty", "", 1, true},
		{"short", "Hello", 1, true},
		{"160 septets", a("a", 160), 1, true},
		{"161 septets", a("a", 161), 2, true},
		{"306 septets", a("a", 306), 2, true},
		{"307 septets", a("a", 307), 3, true},
		{"GSM-7 accents", "àèéìòù ÄÖÜäöüß Ññ Ç ÆæØøÅå ΔΦΓΛΩΠΨΣΘΞ ¡¿§¤£¥@$_", 1, true},
		{"line breaks", "a\r\nb\n", 1, true},
		{"euro counts two", a("a", 158) + "€", 1, true},
		{"euro over the edge", a("a", 159) + "€", 2, true},
		{"80 euros", a("€", 80), 1, true},
		{"81 euros", a("€", 81), 2, true},
		{"brackets count two", a("[", 80), 1, true},
		{"every extension char", "\f^{}\\[~]|€", 1, true},
		{"extension pair", a("a", 150) + "{}[]~|", 2, true}, // 162 septets
		// An escape pair is never split: 152 + [2] moves to the second part,
		// which then holds 154 > 153, so three parts where 306/153 says two.
		{"escape not split", a("a", 152) + "[" + a("a", 152), 3, true},
		{"lower-case c cedilla", "ç", 1, false},
		{"backtick", "`", 1, false},
		{"Spanish acute", "Activación", 1, false},
		{"70 UCS-2 units", a("á", 70), 1, false},
		{"71 UCS-2 units", a("á", 71), 2, false},
		{"134 UCS-2 units", a("á", 134), 2, false},
		{"135 UCS-2 units", a("á", 135), 3, false},
		{"35 emoji", a("😀", 35), 1, false}, // 70 units
		{"36 emoji", a("😀", 36), 2, false}, // 72 units: 33 + 3
		{"surrogate not split", a("á", 66) + "😀" + a("á", 66), 3, false},
		{"mixed GSM and UCS-2", a("a", 100) + "Ł", 2, false},
		{"invalid UTF-8", "\xff\xfe", 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, gsm := SMSSegments(tt.s)
			assert.Equal(t, tt.segments, n)
			assert.Equal(t, tt.gsm7, gsm)
		})
	}
}

func TestGSMAlphabet(t *testing.T) {
	// 128 codes less the escape code, each once.
	require.Equal(t, 127, utf8.RuneCountInString(gsmBasic))
	require.Equal(t, 10, utf8.RuneCountInString(gsmExtension))
	require.Len(t, gsmCost, 137)
	for _, r := range gsmBasic {
		assert.Equal(t, 1, gsmCost[r], "%q", r)
	}
	for _, r := range gsmExtension {
		assert.Equal(t, 2, gsmCost[r], "%q", r)
	}
	// Every printable ASCII character but the backtick is GSM-7.
	for c := rune(' '); c <= '~'; c++ {
		_, ok := gsmCost[c]
		assert.Equal(t, c != '`', ok, "%q", c)
	}
}
