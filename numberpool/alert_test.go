package numberpool_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/multilinehq/multiline/numberpool"
)

func TestAlertText(t *testing.T) {
	subject, text := numberpool.AlertText("Sales\r\nBcc: x@evil.example", numberpool.Capacity{Available: 1, Held: 8, Total: 10}, 80)
	assert.Equal(t, "MultiLine number utilization alert: Sales  Bcc: x@evil.example at 80%", subject)
	assert.Equal(t, "Sales\r\nBcc: x@evil.example now uses 8 of its 10 numbers (80%), at or above its alert threshold of 80%. 1 numbers are Available.\n", text)
}
