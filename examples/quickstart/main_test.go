package main

import (
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const want = `organization "Demo Corp" with 4 numbers
Save Ada Lovelace:
  ada@demo.example is Not Invited, number none yet
Save & Invite Grace Hopper:
  sent email to grace@demo.example: Hello Grace,
  grace@demo.example is Invited, number +14155550101
Save & Invite Enzo Ferrari:
`

func TestRun(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out))
	got := out.String()
	assert.Contains(t, got, want)
	// Enzo's language is Italian: his SMS is in Italian.
	assert.Contains(t, got, "  sent sms to +393331234567: Ciao Enzo, Demo Corp ti invita su MultiLine (+14155550199).")
	assert.Contains(t, got, "  +393331234567 is Invited, number +14155550199\n")
	assert.Contains(t, got, "  refused: Email must be the bare address, without a display name, comment or angle brackets [email.display_name]\n")
	assert.Contains(t, got, "[forwarding_number.length]")
	// The printed links are redacted: no full token ever reaches the output.
	assert.Regexp(t, `activate/[A-Za-z0-9_-]{4}…`, got)
	assert.NotRegexp(t, `activate/[A-Za-z0-9_-]{43}`, got)
}

// TestProgram builds and runs the command as the README does.
func TestProgram(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "quickstart")
	build := exec.Command("go", "build", "-o", bin, ".")
	outb, err := build.CombinedOutput()
	require.NoError(t, err, string(outb))
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(bin)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Run(), stderr.String())
	assert.Contains(t, stdout.String(), want)
	assert.Empty(t, stderr.String())
}
