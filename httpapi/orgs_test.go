package httpapi_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline"
)

func TestNumbersAuditPreview(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	_, err := f.svc.AddNumbers(ctx, f.root, f.acme.Org.ID, []multiline.NumberInput{
		{Number: "+14155550101"}, {Number: "+14155550102", Tag: "PORTED"}, {Number: "+14155550103"}})
	require.NoError(t, err)
	require.NoError(t, f.svc.AllocateNumbers(ctx, f.root, f.acme.Org.ID, f.sales.ID, []string{"+14155550101", "+14155550102", "+14155550103"}))
	base := "/orgs/" + string(f.sales.ID)

	type number struct{ Number, State, Tag, Account string }
	var l listOut[number]
	f.do(t, req{method: "GET", path: base + "/numbers", as: f.salesAdmin}).decode(t, &l)
	assert.Len(t, l.Items, 3)
	f.do(t, req{method: "GET", path: base + "/numbers?state=Reserved", as: f.salesAdmin}).decode(t, &l)
	require.Len(t, l.Items, 1)
	assert.Equal(t, "PORTED", l.Items[0].Tag)
	f.do(t, req{method: "GET", path: base + "/numbers?tag=PORTED&state=Available", as: f.salesAdmin}).decode(t, &l)
	assert.Empty(t, l.Items)
	r := f.do(t, req{method: "GET", path: base + "/numbers?state=Gone", as: f.salesAdmin, invalid: true})
	assert.Equal(t, "request.state", r.problem(t).Code)

	r = f.do(t, req{method: "GET", path: base + "/audit?limit=2", as: f.salesReports})
	require.Equal(t, http.StatusOK, r.status)
	var events listOut[struct {
		Action string `json:"action"`
		Org    string `json:"org"`
	}]
	r.decode(t, &events)
	require.Len(t, events.Items, 2)
	assert.Equal(t, string(f.sales.ID), events.Items[0].Org)

	r = f.do(t, req{method: "GET", path: base + "/invitation-preview?lang=it", as: f.salesSetup})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	var p struct{ Subject, Text, HTML string }
	r.decode(t, &p)
	assert.NotEmpty(t, p.Subject)
	assert.NotEmpty(t, p.HTML)
	r = f.do(t, req{method: "GET", path: base + "/invitation-preview?channel=sms", as: f.salesSetup})
	r.decode(t, &p)
	assert.Empty(t, p.Subject, "an SMS has no subject")
	assert.NotEmpty(t, p.Text)
	r = f.do(t, req{method: "GET", path: base + "/invitation-preview?channel=fax", as: f.salesSetup, invalid: true})
	assert.Equal(t, "request.channel", r.problem(t).Code)
}
