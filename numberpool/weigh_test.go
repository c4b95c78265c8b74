package numberpool_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/multilinehq/multiline/numberpool"
)

func TestWeigh(t *testing.T) {
	avail := numberpool.Number{E164: "+14155550100", State: numberpool.Available}
	reserved := numberpool.Number{E164: "+14155550101", State: numberpool.Reserved, Tag: "PORTED"}
	for _, tc := range []struct {
		name    string
		c       numberpool.Capacity
		num     numberpool.Number
		invited bool
		pending int
		full    bool
	}{
		{"saved without a number", numberpool.Capacity{}, numberpool.Number{}, false, 0, false},
		{"invited without a number, room", numberpool.Capacity{Available: 1}, numberpool.Number{}, true, 1, false},
		{"invited without a number, full", numberpool.Capacity{Available: 1, Pending: 1}, numberpool.Number{}, true, 1, true},
		{"takes the last Available", numberpool.Capacity{Available: 1}, avail, true, 0, false},
		{"takes an Available a pending one counts on", numberpool.Capacity{Available: 1, Pending: 1}, avail, false, 0, true},
		{"a Reserved number leaves Available alone", numberpool.Capacity{Available: 1, Pending: 1}, reserved, true, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pending, err := numberpool.Weigh(tc.c, tc.num, tc.invited)
			assert.Equal(t, tc.pending, pending)
			if tc.full {
				assert.ErrorIs(t, err, numberpool.ErrNotEnoughNumbers)
			} else {
				assert.NoError(t, err)
			}
		})
	}
	assert.Equal(t, 2, numberpool.Capacity{Available: 3, Pending: 1}.Slack())
}

// The audit log keeps numbers as JSON; renaming the Go field kept its key.
func TestNumberJSONKeepsAccountIDKey(t *testing.T) {
	b, err := json.Marshal(numberpool.Number{E164: "+14155550100", State: numberpool.Assigned, Account: "a1"})
	assert.NoError(t, err)
	assert.Contains(t, string(b), `"AccountID":"a1"`)
	assert.NotContains(t, string(b), `"Account":`)
}
