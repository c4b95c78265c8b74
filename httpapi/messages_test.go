package httpapi_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/invite"
)

// echoing is a notifier that fails each message's first attempt with an
// error that repeats the whole text, as a careless gateway would, and keeps
// the token it saw.
type echoing struct {
	mu     sync.Mutex
	tried  map[invite.MessageID]bool
	tokens []string
}

func (e *echoing) Send(_ context.Context, m invite.Message) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.tokens = append(e.tokens, m.Secret)
	if e.tried[m.ID] {
		return nil
	}
	e.tried[m.ID] = true
	return errors.New("gateway refused: " + m.Text)
}

// TestMessages: the outbox answers each message's kind, channel,
// recipient, account and delivery; never its body, link or token, not even
// in a last error that echoed the body.
func TestMessages(t *testing.T) {
	n := &echoing{tried: map[invite.MessageID]bool{}}
	f := newFixture(t, []multiline.Option{multiline.WithNotifier(n)})
	f.numbers(t, f.sales.ID, "+14155550101")
	in := form("msg")
	in["invite"] = true
	r := f.do(t, req{method: "POST", path: "/orgs/" + string(f.sales.ID) + "/accounts", as: f.salesAdmin, json: in})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	var a accountOut
	r.decode(t, &a)

	type messageOut struct {
		ID, Kind, Channel, To, Account, Created string
		Delivery                                struct {
			State     string `json:"state"`
			Attempts  int    `json:"attempts"`
			LastError string `json:"last_error"`
		}
	}
	r = f.do(t, req{method: "GET", path: "/orgs/" + string(f.sales.ID) + "/messages", as: f.salesReports})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	var l listOut[messageOut]
	r.decode(t, &l)
	require.Len(t, l.Items, 1)
	m := l.Items[0]
	assert.Equal(t, "invitation", m.Kind)
	assert.Equal(t, "email", m.Channel)
	assert.Equal(t, "msg@acme.example", m.To)
	assert.Equal(t, a.ID, m.Account)
	assert.NotEmpty(t, m.Created)
	assert.Equal(t, "failed", m.Delivery.State)
	assert.Equal(t, 1, m.Delivery.Attempts)
	assert.Contains(t, m.Delivery.LastError, "gateway refused")
	n.mu.Lock()
	tokens := append([]string(nil), n.tokens...)
	n.mu.Unlock()
	require.NotEmpty(t, tokens)
	for _, tok := range tokens {
		require.NotEmpty(t, tok)
		assert.NotContains(t, string(r.body), tok, "the token is never answered")
	}
	assert.NotContains(t, string(r.body), "/activat", "nor the link")

	r = f.do(t, req{method: "GET", path: "/orgs/" + string(f.sales.ID) + "/messages?limit=0", as: f.salesReports, invalid: true})
	assert.Equal(t, "request.limit", r.problem(t).Code)
}
