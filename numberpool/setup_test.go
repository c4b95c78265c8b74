package numberpool_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/numberpool"
	"github.com/multilinehq/multiline/org"
)

func TestParseInputs(t *testing.T) {
	nums, err := numberpool.ParseInputs("o1", []numberpool.Input{{Number: "+1 415 555 0100"}, {Number: "+14155550101", Tag: "PORTED"}})
	require.NoError(t, err)
	require.Len(t, nums, 2)
	assert.Equal(t, numberpool.Number{E164: "+14155550100", OrgID: "o1", State: numberpool.Available}, nums[0])
	assert.Equal(t, numberpool.Reserved, nums[1].State)
	assert.Equal(t, "PORTED", nums[1].Tag)

	_, err = numberpool.ParseInputs("o1", []numberpool.Input{
		{Number: "=cmd|' /C calc'!A0"},
		{Number: "+14155550100"},
		{Number: "+1 (415) 555-0100"},
		{Number: "+14155550102", Tag: "no spaces allowed"},
	})
	var got [][2]string
	for _, fe := range mlerr.Fields(err) {
		got = append(got, [2]string{fe.Field, fe.Code})
	}
	assert.Equal(t, [][2]string{
		{"numbers[0]", numberpool.CodeNumberFormat},
		{"numbers[2]", numberpool.CodeNumberDuplicate},
		{"numbers[3]", numberpool.CodeTagFormat},
	}, got)
}

func TestTransferRules(t *testing.T) {
	assert.Equal(t, numberpool.CodeNumbersRequired, mlerr.CodeOf(numberpool.CheckTransferSelection(nil)))
	assert.NoError(t, numberpool.CheckTransferSelection([]string{"+14155550100"}))

	assert.NoError(t, numberpool.CheckAddTo(org.Org{ID: "root"}))
	assert.Equal(t, numberpool.CodeNumbersNotRoot, mlerr.CodeOf(numberpool.CheckAddTo(org.Org{ID: "sub", ParentID: "root"})))

	child := org.Org{ID: "c", ParentID: "p"}
	assert.NoError(t, numberpool.CheckAllocateTo("p", child, true, "c"))
	assert.Equal(t, numberpool.CodeOrgNotChild, mlerr.CodeOf(numberpool.CheckAllocateTo("x", child, true, "c")))
	assert.Equal(t, numberpool.CodeOrgNotChild, mlerr.CodeOf(numberpool.CheckAllocateTo("p", org.Org{}, false, "c")))

	assert.Equal(t, numberpool.CodeNumbersNoParent, mlerr.CodeOf(numberpool.NoParent("root")))
	err := numberpool.NotFree("+14155550100")
	require.ErrorIs(t, err, numberpool.ErrNotAvailable)
	assert.Equal(t, numberpool.CodeNotAvailable, mlerr.CodeOf(err))
	err = numberpool.Exists("+14155550100")
	require.ErrorIs(t, err, mlerr.ErrAlreadyExists)
	assert.Equal(t, numberpool.CodeNumberExists, mlerr.CodeOf(err))
}
