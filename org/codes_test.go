package org_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/org"
)

// TestCheckMoveCodes: each refusal of the move guard is a *MoveRefusal with
// the code of its rule, and the reason without the sentinel's prefix.
func TestCheckMoveCodes(t *testing.T) {
	root := org.Org{ID: "root", Name: "Acme"}
	sales := org.Org{ID: "sales", Name: "Sales", ParentID: "root"}
	other := org.Org{ID: "other", Name: "Globex"}
	for _, tc := range []struct {
		name     string
		from, to []org.Org
		code     string
		reason   string
	}{
		{"unknown", nil, []org.Org{root}, org.CodeMoveUnknownOrg, "unknown organization"},
		{"same", []org.Org{sales, root}, []org.Org{sales, root}, org.CodeMoveSameOrg, `the accounts are already in "Sales"`},
		{"other tree", []org.Org{root}, []org.Org{other}, org.CodeMoveOtherTree, `"Acme" and "Globex" are not in the same organization tree`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := org.CheckMove(tc.from, tc.to)
			var r *org.MoveRefusal
			require.ErrorAs(t, err, &r)
			assert.Equal(t, tc.reason, r.Reason)
			assert.Equal(t, tc.code, mlerr.CodeOf(err))
			assert.ErrorIs(t, err, org.ErrMove)
			assert.Equal(t, "org: move refused: "+tc.reason, err.Error())
		})
	}
}
