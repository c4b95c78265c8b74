package batch

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/invite"
)

func TestExportLine(t *testing.T) {
	cet := time.FixedZone("CET", 3600)
	a := account.Account{FirstName: "Ann", LastName: "Lee", Username: "ann@example.com", AccountID: "ann",
		Status: account.Activated, Number: "+14155550100"}
	inv := &invite.Invitation{State: invite.Redeemed, Created: time.Date(2026, 3, 1, 10, 0, 0, 0, cet), Updated: time.Date(2026, 3, 2, 10, 0, 0, 0, cet)}
	assert.Equal(t, []string{"Ann", "Lee", "ann@example.com", "ann", "Sales", "Activated", "+14155550100", "Standard", "de",
		"2026-03-01T09:00:00Z", "2026-03-02T09:00:00Z"}, ExportLine(a, inv, "Sales", "de", "Standard"))

	a.Language, a.Status = "fr", account.NotInvited
	line := ExportLine(a, &invite.Invitation{State: invite.Pending, Created: time.Now()}, "Sales", "de", "")
	assert.Equal(t, []string{"fr", "", ""}, line[8:], "own language; not invited: no dates")
	assert.Len(t, ExportHeader, len(line))
}
