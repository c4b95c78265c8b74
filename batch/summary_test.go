package batch

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSummaryText(t *testing.T) {
	subject, text := SummaryText("Sales", Record{ID: "b1", Mode: Import, State: Finished,
		Summary: Summary{Total: 3, Imported: 2, Failed: 1}})
	assert.Equal(t, "Batch Operations Report: 1 of 3 rows failed", subject)
	assert.Equal(t, "Batch Operations Report for Sales (Import): 3 rows, 2 imported, 0 invited, 1 failed.\nBatch b1, finished.\n", text)
}
