package multilinetest_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/multilinetest"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/permissions"
	"github.com/multilinehq/multiline/store/memory"
)

func TestTree(t *testing.T) {
	ctx := context.Background()
	svc, err := multiline.New(memory.New())
	require.NoError(t, err)
	tr, err := multilinetest.NewTree(ctx, svc)
	require.NoError(t, err)
	assert.Equal(t, "Acme", tr.Acme.Org.Name)
	assert.Equal(t, tr.Acme.Org.ID, tr.Sales.ParentID)
	assert.Equal(t, tr.Acme.Org.ID, tr.Support.ParentID)
	assert.NotEqual(t, tr.Acme.Org.ID, tr.Globex.Org.ID)

	sales, err := tr.Admin(ctx, svc, "sales@acme.example", []org.ID{tr.Sales.ID}, permissions.Accounts)
	require.NoError(t, err)
	require.NoError(t, tr.Numbers(ctx, svc, tr.Sales.ID, multiline.NumberInput{Number: "+14155550101"}, multiline.NumberInput{Number: "+14155550102", Tag: "desk"}))
	require.NoError(t, tr.Numbers(ctx, svc, tr.Acme.Org.ID, multiline.NumberInput{Number: "+14155550103"}))
	for o, want := range map[org.ID]int{tr.Sales.ID: 2, tr.Acme.Org.ID: 1} {
		page, err := svc.ListNumbers(ctx, tr.Root(), o, multiline.Page{})
		require.NoError(t, err)
		assert.Len(t, page.Items, want, "numbers of %s", o)
	}
	_, err = svc.ListAccounts(ctx, sales, tr.Sales.ID, multiline.Page{})
	assert.NoError(t, err, "the administrator has Accounts on Sales")
	_, err = svc.ListAccounts(ctx, sales, tr.Support.ID, multiline.Page{})
	assert.ErrorIs(t, err, permissions.ErrForbidden, "and nothing on Support")
	_, err = svc.ListAccounts(ctx, tr.Root(), tr.Globex.Org.ID, multiline.Page{})
	assert.ErrorIs(t, err, permissions.ErrForbidden, "Acme's administrator covers nothing of Globex")
}
