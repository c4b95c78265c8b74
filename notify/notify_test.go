package notify_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/notify"
)

const token = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_AbCd"

func msg(to string) invite.Message {
	return invite.Message{
		Kind: invite.KindInvitation, Channel: invite.Email, To: to, Subject: "Welcome",
		Text: "Activate: https://x.example/a/" + token + "\n", Secret: token, IdempotencyKey: "inv-1-v1",
	}
}

func TestRecorder(t *testing.T) {
	r := notify.NewRecorder()
	var n notify.Notifier = r
	require.NoError(t, n.Send(context.Background(), msg("a@x.example")))
	down := errors.New("down")
	r.Fail(down)
	assert.ErrorIs(t, n.Send(context.Background(), msg("b@x.example")), down)
	r.Fail(nil)
	require.NoError(t, n.Send(context.Background(), msg("c@x.example")))
	got := r.Messages()
	require.Len(t, got, 2)
	assert.Equal(t, "a@x.example", got[0].To)
	assert.Equal(t, "c@x.example", got[1].To)
	got[0].To = "changed"
	assert.Equal(t, "a@x.example", r.Messages()[0].To, "Messages returns a copy")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	assert.ErrorIs(t, n.Send(ctx, msg("d@x.example")), context.Canceled)
	r.Reset()
	assert.Empty(t, r.Messages())
}

func TestRecorderConcurrent(t *testing.T) {
	r := notify.NewRecorder()
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() { _ = r.Send(context.Background(), msg("a@x.example")) })
	}
	wg.Wait()
	assert.Len(t, r.Messages(), 50)
}

func TestLoggerNeverPrintsTheToken(t *testing.T) {
	var buf bytes.Buffer
	l := notify.NewLogger(slog.New(slog.NewTextHandler(&buf, nil)))
	require.NoError(t, l.Send(context.Background(), msg("a@x.example")))
	out := buf.String()
	assert.Contains(t, out, "to=a@x.example")
	assert.Contains(t, out, "idempotency_key=inv-1-v1")
	assert.Contains(t, out, "AbCd…")
	assert.NotContains(t, out, token)
	assert.False(t, strings.Contains(out, token[4:12]), "no part of the token past its first four characters")
}

func TestFunc(t *testing.T) {
	var got []string
	n := notify.Func(func(_ context.Context, m invite.Message) error { got = append(got, m.To); return nil })
	require.NoError(t, n.Send(context.Background(), msg("a@x.example")))
	assert.Equal(t, []string{"a@x.example"}, got)
}

// A Recorder keeps its messages in blocks: many messages come back in the
// order they were sent, and a copy is still a copy.
func TestRecorderMany(t *testing.T) {
	r := notify.NewRecorder()
	const n = 70_000 // past the largest block many times over
	for i := range n {
		m := msg("a@x.example")
		m.Attempts = i
		require.NoError(t, r.Send(context.Background(), m))
	}
	got := r.Messages()
	require.Len(t, got, n)
	for i, m := range got {
		if m.Attempts != i {
			t.Fatalf("message %d is message %d", i, m.Attempts)
		}
	}
	got[n-1].To = "changed"
	assert.Equal(t, "a@x.example", r.Messages()[n-1].To, "Messages returns a copy")
	r.Reset()
	assert.Nil(t, r.Messages())
	require.NoError(t, r.Send(context.Background(), msg("b@x.example")))
	assert.Len(t, r.Messages(), 1)
}
