package multiline

import (
	"crypto/rand"
	"encoding/hex"
	"strings"
	"sync"
	"time"
)

// ids makes the service's IDs: UUIDv7 (RFC 9562), time-ordered and
// strictly increasing within the process as uuid.NewV7 makes them (the
// 12 bits after the millisecond count the sub-millisecond time, bumped
// when two IDs would collide), with their 62 random bits drawn from a
// buffer of crypto/rand filled 4 KiB at a time. An import makes half a
// dozen IDs a row, and a read from crypto/rand for each cost more than the
// rest of making it. IDs are not secrets: tokens are drawn apart.
//
// The IDs' text is written into a shared block of 4 KiB, a strings.Builder
// that only ever appends, each ID a substring of it: a block holds 113 IDs
// in one allocation, where an import allocated a string for each of its
// half a dozen IDs a row (a tenth of its allocations). A block lives while
// one of its IDs does; the IDs the service makes are those of the records
// it keeps.
var ids idSource

type idSource struct {
	mu   sync.Mutex
	last int64 // the last time stamp: unix milliseconds << 12 | sequence
	buf  [4096]byte
	off  int
	text strings.Builder // the block the IDs' text is cut from
}

// idBlock is the size of a block of IDs' text.
const idBlock = 4096

// next returns a new ID in the canonical 36-character form.
func (g *idSource) next() string {
	nano := time.Now().UnixNano()
	milli := nano / 1e6
	stamp := milli<<12 + (nano-milli*1e6)>>8
	var u [16]byte
	g.mu.Lock()
	if stamp <= g.last {
		stamp = g.last + 1
	}
	g.last = stamp
	if g.off == 0 || g.off+8 > len(g.buf) {
		if _, err := rand.Read(g.buf[:]); err != nil {
			g.mu.Unlock()
			// crypto/rand does not fail on the systems Go supports; the
			// package it replaces panicked here too (uuid.Must).
			panic("multiline: drawing an ID: " + err.Error())
		}
		g.off = 0
	}
	copy(u[8:], g.buf[g.off:g.off+8])
	g.off += 8

	milli = stamp >> 12
	u[0], u[1], u[2], u[3], u[4], u[5] = byte(milli>>40), byte(milli>>32), byte(milli>>24), byte(milli>>16), byte(milli>>8), byte(milli)
	u[6] = 0x70 | byte(stamp>>8)&0x0f // version 7
	u[7] = byte(stamp)
	u[8] = 0x80 | u[8]&0x3f // variant 10

	var s [36]byte
	hex.Encode(s[0:8], u[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], u[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], u[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], u[8:10])
	s[23] = '-'
	hex.Encode(s[24:], u[10:])

	// Cut from the block: a Builder never changes the bytes it holds, and
	// String returns them without a copy, so the substring is the ID for
	// good.
	if g.text.Len()+len(s) > g.text.Cap() {
		g.text = strings.Builder{}
		g.text.Grow(idBlock)
	}
	start := g.text.Len()
	g.text.Write(s[:])
	id := g.text.String()[start:]
	g.mu.Unlock()
	return id
}
