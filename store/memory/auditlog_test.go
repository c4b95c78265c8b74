package memory

import (
	"fmt"
	"testing"

	"github.com/multilinehq/multiline"
)

// TestAuditLogOrder finds events by ID in both of the log's modes: ordered
// (binary search, no index) and after an event out of order (the index),
// across blocks, with appends undone in each.
func TestAuditLogOrder(t *testing.T) {
	l := newAuditLog()
	id := func(i int) string { return fmt.Sprintf("ev-%06d", i) }
	var undos []undoStep
	n := 2*auditChunk + 10
	for i := 1; i <= n; i += 2 { // odd IDs, in order
		undos = append(undos, l.appendEvent(multiline.AuditEvent{ID: id(i), Subject: id(i)}))
	}
	check := func(mode string, present func(int) bool) {
		t.Helper()
		for i := 0; i <= n+1; i++ {
			e, ok := l.get(id(i))
			if ok != present(i) || l.has(id(i)) != ok || (ok && e.Subject != id(i)) {
				t.Fatalf("%s: get(%s) = %v, %v", mode, id(i), e, ok)
			}
		}
	}
	check("ordered", func(i int) bool { return i%2 == 1 && i <= n })
	if l.index != nil {
		t.Fatal("an ordered log built an index")
	}
	// Undo the last append: its ID is free again, the log still ordered.
	undos[len(undos)-1].run()
	last := n
	if last%2 == 0 {
		last--
	}
	check("ordered, last undone", func(i int) bool { return i%2 == 1 && i < last })
	if l.index != nil {
		t.Fatal("an undo built an index")
	}

	// An even ID below the last: out of order, the index from now on.
	u := l.appendEvent(multiline.AuditEvent{ID: id(4), Subject: id(4)})
	if l.index == nil {
		t.Fatal("an event out of order did not build the index")
	}
	check("indexed", func(i int) bool { return i%2 == 1 && i < last || i == 4 })
	u.run()
	check("indexed, undone", func(i int) bool { return i%2 == 1 && i < last })
	l.appendEvent(multiline.AuditEvent{ID: id(last + 1), Subject: id(last + 1)})
	check("indexed, in order again", func(i int) bool { return i%2 == 1 && i < last || i == last+1 })
}
