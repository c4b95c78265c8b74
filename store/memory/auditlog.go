package memory

import (
	"github.com/multilinehq/multiline"
)

// auditChunk is how many events one block of the audit log holds.
const auditChunk = 1024

// auditLog is the audit log: append-only, in blocks that are never moved,
// and an index from ID to position for the uniqueness check and reads.
// An import appends several events a row; a map of events would copy every
// event each time it grew, a single slice likewise, where blocks copy
// nothing and the index holds only a position per event.
type auditLog struct {
	blocks [][]multiline.AuditEvent
	index  map[string]int
	n      int
}

func newAuditLog() *auditLog { return &auditLog{index: map[string]int{}} }

// has reports whether an event with id is in the log.
func (l *auditLog) has(id string) bool {
	_, ok := l.index[id]
	return ok
}

// at returns the event at position i.
func (l *auditLog) at(i int) *multiline.AuditEvent {
	return &l.blocks[i/auditChunk][i%auditChunk]
}

// get returns the event with id.
func (l *auditLog) get(id string) (multiline.AuditEvent, bool) {
	i, ok := l.index[id]
	if !ok {
		return multiline.AuditEvent{}, false
	}
	return *l.at(i), true
}

// appendEvent appends e, which the log then owns, and returns how to undo
// that: undos run newest first, so the event undone is always the last.
func (l *auditLog) appendEvent(e multiline.AuditEvent) func() {
	if l.n%auditChunk == 0 && l.n/auditChunk == len(l.blocks) {
		l.blocks = append(l.blocks, make([]multiline.AuditEvent, 0, auditChunk))
	}
	b := &l.blocks[l.n/auditChunk]
	*b = append(*b, e)
	l.index[e.ID] = l.n
	l.n++
	return l.removeLast
}

// removeLast undoes the last append.
func (l *auditLog) removeLast() {
	l.n--
	b := &l.blocks[l.n/auditChunk]
	delete(l.index, (*b)[len(*b)-1].ID)
	(*b)[len(*b)-1] = multiline.AuditEvent{}
	*b = (*b)[:len(*b)-1]
}

// each calls f with every event of the log, in the order appended.
func (l *auditLog) each(f func(*multiline.AuditEvent)) {
	for _, b := range l.blocks {
		for i := range b {
			f(&b[i])
		}
	}
}
