package httpapi

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/multilinehq/multiline/mlerr"
)

// TestProblemCodeIsTheErrors: every refusal the handler answers carries the
// code the SDK gave it (mlerr.CodeOf), however wrapped; the handler has no
// codes of its own for them.
func TestProblemCodeIsTheErrors(t *testing.T) {
	for _, r := range refusals {
		t.Run(r.err.Error(), func(t *testing.T) {
			want := mlerr.CodeOf(r.err)
			assert.NotEmpty(t, want, "every sentinel the handler answers has a code")
			p := problemOf(fmt.Errorf("multiline: doing something: %w", r.err))
			assert.Equal(t, r.status, p.Status)
			assert.Equal(t, want, p.Code)
		})
	}
	p := problemOf(fmt.Errorf("postgres: relation accounts: %w", assert.AnError))
	assert.Equal(t, http.StatusInternalServerError, p.Status)
	assert.Empty(t, p.Code, "an internal failure has no code")
}
