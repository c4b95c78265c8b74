package invite

import "unicode/utf16"

// The capacity of one SMS: 160 GSM-7 septets or 70 UCS-2 code units alone,
// 153 or 67 per part of a concatenated message (the rest of each part is the
// concatenation header).
const (
	gsmSingle  = 160
	gsmPart    = 153
	ucs2Single = 70
	ucs2Part   = 67
)

// gsmBasic is the GSM 03.38 default alphabet, less the escape code 0x1B:
// each character costs one septet.
const gsmBasic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
	"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"

// gsmExtension is the GSM 03.38 extension table: each character costs two
// septets, the escape code and its own.
const gsmExtension = "\f^{}\\[~]|€"

// gsmCost maps a rune to its septets; a rune absent from the map cannot be
// written in GSM-7.
var gsmCost = func() map[rune]int {
	m := make(map[rune]int, 140)
	for _, r := range gsmBasic {
		m[r] = 1
	}
	for _, r := range gsmExtension {
		m[r] = 2
	}
	return m
}()

// SMSSegments returns how many SMS segments s takes and whether it can be
// sent in the GSM-7 alphabet. GSM-7 text takes one segment up to 160
// septets, else 153 per segment, the extension characters (€ [ ] { } \ ^ ~ |
// and form feed) counting two and never split across segments. Any other
// text goes as UCS-2: one segment up to 70 UTF-16 code units, else 67 per
// segment, a character outside the Basic Multilingual Plane (most emoji)
// counting two and never split. Invalid UTF-8 counts as U+FFFD. An empty
// message takes one segment.
func SMSSegments(s string) (segments int, gsm7 bool) {
	septets := 0
	gsm7 = true
	for _, r := range s {
		c, ok := gsmCost[r]
		if !ok {
			gsm7 = false
			break
		}
		septets += c
	}
	if gsm7 {
		if septets <= gsmSingle {
			return 1, true
		}
		return pack(s, gsmPart, func(r rune) int { return gsmCost[r] }), true
	}
	units := 0
	for _, r := range s {
		units += ucs2Len(r)
	}
	if units <= ucs2Single {
		return 1, false
	}
	return pack(s, ucs2Part, ucs2Len), false
}

// ucs2Len is the UTF-16 length of r: 2 for a surrogate pair, else 1.
func ucs2Len(r rune) int {
	if n := utf16.RuneLen(r); n > 1 {
		return n
	}
	return 1
}

// pack counts the segments of s filled greedily with per units each, where
// a character of cost units must fit whole in one segment.
func pack(s string, per int, cost func(rune) int) int {
	n, used := 1, 0
	for _, r := range s {
		c := cost(r)
		if used+c > per {
			n, used = n+1, 0
		}
		used += c
	}
	return n
}
