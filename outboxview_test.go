package multiline_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/notify"
	"github.com/multilinehq/multiline/permissions"
)

func TestListMessages(t *testing.T) {
	var mu sync.Mutex
	secrets := map[string]string{} // by recipient
	var f *fixture
	echoing := notify.Func(func(ctx context.Context, m invite.Message) error {
		mu.Lock()
		secrets[m.To] = m.Secret
		mu.Unlock()
		if m.To == "u2@acme.example" {
			// A server that quotes the link back in its refusal.
			return fmt.Errorf("550 URL blocklisted: https://multiline.example/activate/%s", m.Secret)
		}
		return f.outbox.Send(ctx, m)
	})
	f = newFixture(t, multiline.WithNotifier(echoing))
	f.numbers(t, f.sales.ID, nums("+14155550101", "+14155550102")...)
	f.numbers(t, f.support.ID, nums("+14155550103")...)

	u1, err := f.svc.SaveAndInvite(ctx, f.salesAdmin, f.sales.ID, input("u1"), multiline.InviteOptions{})
	require.NoError(t, err)
	f.clock.Advance(time.Second)
	u2, err := f.svc.SaveAndInvite(ctx, f.salesAdmin, f.sales.ID, input("u2"), multiline.InviteOptions{})
	require.NoError(t, err)
	require.Equal(t, invite.Failed, u2.Delivery.State)
	_, err = f.svc.SaveAndInvite(ctx, f.supportAdmin, f.support.ID, input("s1"), multiline.InviteOptions{})
	require.NoError(t, err)

	l, err := f.svc.ListMessages(ctx, f.salesReports, f.sales.ID, multiline.Page{})
	require.NoError(t, err)
	require.Len(t, l.Items, 2, "Sales' messages only")
	assert.Empty(t, l.Next)

	failed, sent := l.Items[0], l.Items[1]
	assert.Equal(t, "u2@acme.example", failed.To, "newest first")
	assert.Equal(t, u2.Account.ID, failed.Account)
	assert.Equal(t, invite.KindInvitation, failed.Kind)
	assert.Equal(t, invite.Email, failed.Channel)
	assert.Equal(t, invite.Failed, failed.State)
	assert.Equal(t, 1, failed.Attempts)
	assert.Contains(t, failed.LastError, "550 URL blocklisted")
	assert.NotEmpty(t, failed.NextAttempt)
	assert.Empty(t, failed.SentAt)

	assert.Equal(t, "u1@acme.example", sent.To)
	assert.Equal(t, u1.Account.ID, sent.Account)
	assert.Equal(t, invite.Sent, sent.State)
	assert.Equal(t, 1, sent.Attempts)
	assert.NotEmpty(t, sent.SentAt)
	assert.Empty(t, sent.NextAttempt)
	assert.True(t, sent.Created.Before(failed.Created))

	// Never the body, the link or the token, not even through an error
	// that quotes them.
	all := fmt.Sprintf("%#v", l)
	for to, secret := range secrets {
		require.NotEmpty(t, secret, to)
		assert.NotContains(t, all, secret, "the token of %s", to)
	}
	assert.NotContains(t, all, "Hello", "no body text")

	// Paginated with the opaque cursor.
	p1, err := f.svc.ListMessages(ctx, f.salesReports, f.sales.ID, multiline.Page{Limit: 1})
	require.NoError(t, err)
	require.Len(t, p1.Items, 1)
	require.NotEmpty(t, p1.Next)
	p2, err := f.svc.ListMessages(ctx, f.salesReports, f.sales.ID, multiline.Page{Limit: 1, After: p1.Next})
	require.NoError(t, err)
	assert.Equal(t, []multiline.MessageView{failed}, p1.Items)
	assert.Equal(t, []multiline.MessageView{sent}, p2.Items)
	assert.Empty(t, p2.Next)

	// Accounts alone is not enough; another tenant learns nothing.
	for _, actor := range []string{"salesAdmin", "globexAdmin"} {
		a := map[string]func() error{
			"salesAdmin": func() error {
				_, err := f.svc.ListMessages(ctx, f.salesAdmin, f.sales.ID, multiline.Page{})
				return err
			},
			"globexAdmin": func() error {
				_, err := f.svc.ListMessages(ctx, f.globexAdmin, f.sales.ID, multiline.Page{})
				return err
			},
		}[actor]
		assert.ErrorIs(t, a(), permissions.ErrForbidden, actor)
	}
}
