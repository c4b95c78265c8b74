package memory

import (
	"sort"

	"github.com/multilinehq/multiline"
)

// auditChunk is how many events one block of the audit log holds.
const auditChunk = 1024

// auditLog is the audit log: append-only, in blocks that are never moved.
// An import appends several events a row; a map of events would copy every
// event each time it grew, a single slice likewise, where blocks copy
// nothing.
//
// Events are found by ID (the uniqueness check, reads) without an index
// while the log is ordered: while every event's ID is greater than the one
// before it, as the service's are (UUIDv7, increasing within the process),
// the log is sorted by ID, a new ID above the last is new, and any other is
// found by binary search. The index, a map from ID to position that an
// import grew by four entries a row, is built only when an event comes out
// of order (an ID of another process, a caller's own), and kept from then
// on.
type auditLog struct {
	blocks [][]multiline.AuditEvent
	n      int
	index  map[string]int // nil while the log is ordered
}

func newAuditLog() *auditLog { return &auditLog{} }

// has reports whether an event with id is in the log.
func (l *auditLog) has(id string) bool {
	_, ok := l.find(id)
	return ok
}

// find returns the position of the event with id.
func (l *auditLog) find(id string) (int, bool) {
	if l.index != nil {
		i, ok := l.index[id]
		return i, ok
	}
	if l.n == 0 || id > l.at(l.n-1).ID {
		return 0, false
	}
	i := sort.Search(l.n, func(i int) bool { return l.at(i).ID >= id })
	return i, i < l.n && l.at(i).ID == id
}

// at returns the event at position i.
func (l *auditLog) at(i int) *multiline.AuditEvent {
	return &l.blocks[i/auditChunk][i%auditChunk]
}

// get returns the event with id.
func (l *auditLog) get(id string) (multiline.AuditEvent, bool) {
	i, ok := l.find(id)
	if !ok {
		return multiline.AuditEvent{}, false
	}
	return *l.at(i), true
}

// appendEvent appends e, which the log then owns and whose ID it does not
// hold yet, and returns how to undo that: undos run newest first, so the
// event undone is always the last.
func (l *auditLog) appendEvent(e multiline.AuditEvent) undoStep {
	if l.index == nil && l.n > 0 && e.ID <= l.at(l.n-1).ID {
		// Out of order: from now on, an index.
		l.index = make(map[string]int, l.n+1)
		l.each(func(i int, e *multiline.AuditEvent) { l.index[e.ID] = i })
	}
	if l.n%auditChunk == 0 && l.n/auditChunk == len(l.blocks) {
		l.blocks = append(l.blocks, make([]multiline.AuditEvent, 0, auditChunk))
	}
	b := &l.blocks[l.n/auditChunk]
	*b = append(*b, e)
	if l.index != nil {
		l.index[e.ID] = l.n
	}
	l.n++
	// The log as a keyUndoer: an undo entry with no closure to allocate.
	return undoStep{m: l, key: e.ID}
}

// undoKey undoes the last append, the event with id (see appendEvent).
func (l *auditLog) undoKey(id string) {
	l.n--
	b := &l.blocks[l.n/auditChunk]
	if l.index != nil {
		delete(l.index, id)
	}
	(*b)[len(*b)-1] = multiline.AuditEvent{}
	*b = (*b)[:len(*b)-1]
}

// each calls f with the position and every event of the log, in the order
// appended.
func (l *auditLog) each(f func(int, *multiline.AuditEvent)) {
	i := 0
	for _, b := range l.blocks {
		for j := range b {
			f(i, &b[j])
			i++
		}
	}
}
