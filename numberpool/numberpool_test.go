package numberpool_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/numberpool"
	"github.com/multilinehq/multiline/org"
)

var (
	t0       = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	number   = "+14155550101"
	acme     = org.ID("acme")
	sales    = org.ID("sales")
	nAvail   = numberpool.Number{E164: number, OrgID: acme, State: numberpool.Available}
	nReserve = numberpool.Number{E164: number, OrgID: acme, State: numberpool.Reserved, Tag: "PORTED"}
	// Assigned / Registered from Available and from Reserved.
	nAssignedA   = numberpool.Number{E164: number, OrgID: acme, State: numberpool.Assigned, Account: "acc-1", Origin: numberpool.Available}
	nAssignedR   = numberpool.Number{E164: number, OrgID: acme, State: numberpool.Assigned, Account: "acc-1", Origin: numberpool.Reserved, Tag: "PORTED"}
	nRegisteredA = numberpool.Number{E164: number, OrgID: acme, State: numberpool.Registered, Account: "acc-1", Origin: numberpool.Available}
	nRegisteredR = numberpool.Number{E164: number, OrgID: acme, State: numberpool.Registered, Account: "acc-1", Origin: numberpool.Reserved, Tag: "PORTED"}
	nAgingA      = numberpool.Number{E164: number, OrgID: acme, State: numberpool.Aging, Origin: numberpool.Available, AgingUntil: t0.Add(time.Hour)}
	nAgingR      = numberpool.Number{E164: number, OrgID: acme, State: numberpool.Aging, Origin: numberpool.Reserved, Tag: "PORTED", AgingUntil: t0.Add(time.Hour)}
)

// inState returns a number of org acme in state s, as the state machine
// leaves it (from Available where an origin matters).
func inState(s numberpool.State) numberpool.Number {
	switch s {
	case numberpool.Available:
		return nAvail
	case numberpool.Reserved:
		return nReserve
	case numberpool.Assigned:
		return nAssignedA
	case numberpool.Registered:
		return nRegisteredA
	case numberpool.Aging:
		return nAgingA
	}
	panic("unknown state " + s)
}

// requireTransitionError checks a refusal: it wraps ErrTransition, is a
// *TransitionError naming the number and both states, and leaves n unchanged.
func requireTransitionError(t *testing.T, err error, n, got numberpool.Number, to numberpool.State) {
	t.Helper()
	require.Error(t, err)
	assert.ErrorIs(t, err, numberpool.ErrTransition)
	var te *numberpool.TransitionError
	require.ErrorAs(t, err, &te)
	assert.Equal(t, n.E164, te.E164)
	assert.Equal(t, n.State, te.From)
	assert.Equal(t, to, te.To)
	assert.Contains(t, err.Error(), n.E164)
	assert.Equal(t, n, got, "a refused transition must return the number unchanged")
}

// Every transition method from every state: which from-states each method
// accepts is exactly the state machine in the package comment.
func TestTransitionsFromEveryState(t *testing.T) {
	type method struct {
		name    string
		call    func(numberpool.Number) (numberpool.Number, error)
		allowed []numberpool.State
		to      func(from numberpool.Number) numberpool.State // the state a refusal names
	}
	origin := func(n numberpool.Number) numberpool.State {
		if n.Origin == "" {
			return numberpool.Available
		}
		return n.Origin
	}
	methods := []method{
		{
			name: "Reserve", call: func(n numberpool.Number) (numberpool.Number, error) { return n.Reserve("ported") },
			allowed: []numberpool.State{numberpool.Available},
			to:      func(numberpool.Number) numberpool.State { return numberpool.Reserved },
		},
		{
			name: "Unreserve", call: numberpool.Number.Unreserve,
			allowed: []numberpool.State{numberpool.Reserved},
			to:      func(numberpool.Number) numberpool.State { return numberpool.Available },
		},
		{
			name: "Assign", call: func(n numberpool.Number) (numberpool.Number, error) { return n.Assign("acc-9") },
			allowed: []numberpool.State{numberpool.Available, numberpool.Reserved},
			to:      func(numberpool.Number) numberpool.State { return numberpool.Assigned },
		},
		{
			name: "Register", call: numberpool.Number.Register,
			allowed: []numberpool.State{numberpool.Assigned},
			to:      func(numberpool.Number) numberpool.State { return numberpool.Registered },
		},
		{
			name: "Release", call: func(n numberpool.Number) (numberpool.Number, error) { return n.Release(t0, 0) },
			allowed: []numberpool.State{numberpool.Assigned, numberpool.Registered},
			to:      origin,
		},
		{
			name: "Release with quarantine", call: func(n numberpool.Number) (numberpool.Number, error) { return n.Release(t0, time.Hour) },
			allowed: []numberpool.State{numberpool.Assigned, numberpool.Registered},
			to:      func(numberpool.Number) numberpool.State { return numberpool.Aging },
		},
		{
			name: "EndAging", call: func(n numberpool.Number) (numberpool.Number, error) { return n.EndAging(t0.Add(24 * time.Hour)) },
			allowed: []numberpool.State{numberpool.Aging},
			to:      origin,
		},
	}
	for _, m := range methods {
		for _, from := range numberpool.States {
			allowed := false
			for _, a := range m.allowed {
				allowed = allowed || a == from
			}
			t.Run(m.name+"/from "+string(from), func(t *testing.T) {
				n := inState(from)
				got, err := m.call(n)
				if allowed {
					require.NoError(t, err)
					assert.NotEqual(t, from, got.State)
					assert.Equal(t, n.E164, got.E164)
					assert.Equal(t, n.OrgID, got.OrgID)
					return
				}
				requireTransitionError(t, err, n, got, m.to(n))
			})
		}
	}
}

// The allowed transitions, each with the exact number it produces.
func TestTransitionResults(t *testing.T) {
	tests := []struct {
		name string
		call func() (numberpool.Number, error)
		want numberpool.Number
	}{
		{
			name: "Reserve normalizes the tag",
			call: func() (numberpool.Number, error) { return nAvail.Reserve("  ported ") },
			want: numberpool.Number{E164: number, OrgID: acme, State: numberpool.Reserved, Tag: "PORTED"},
		},
		{
			name: "Reserve replaces an old label",
			call: func() (numberpool.Number, error) {
				n := nAvail
				n.Tag = "OLD"
				return n.Reserve("VIP")
			},
			want: numberpool.Number{E164: number, OrgID: acme, State: numberpool.Reserved, Tag: "VIP"},
		},
		{
			name: "Unreserve keeps the tag as a label",
			call: nReserve.Unreserve,
			want: numberpool.Number{E164: number, OrgID: acme, State: numberpool.Available, Tag: "PORTED"},
		},
		{
			name: "Assign from Available records the origin",
			call: func() (numberpool.Number, error) { return nAvail.Assign("acc-1") },
			want: nAssignedA,
		},
		{
			name: "Assign from Reserved records the origin and keeps the tag",
			call: func() (numberpool.Number, error) { return nReserve.Assign("acc-1") },
			want: nAssignedR,
		},
		{
			name: "Register keeps holder and origin",
			call: nAssignedR.Register,
			want: nRegisteredR,
		},
		{
			name: "Release Assigned from Available",
			call: func() (numberpool.Number, error) { return nAssignedA.Release(t0, 0) },
			want: nAvail,
		},
		{
			name: "Release Registered from Available",
			call: func() (numberpool.Number, error) { return nRegisteredA.Release(t0, 0) },
			want: nAvail,
		},
		{
			name: "Release Assigned from Reserved goes back under its tag",
			call: func() (numberpool.Number, error) { return nAssignedR.Release(t0, 0) },
			want: nReserve,
		},
		{
			name: "Release Registered from Reserved goes back under its tag",
			call: func() (numberpool.Number, error) { return nRegisteredR.Release(t0, 0) },
			want: nReserve,
		},
		{
			name: "Release without a recorded origin goes to Available",
			call: func() (numberpool.Number, error) {
				n := nAssignedA
				n.Origin = ""
				return n.Release(t0, 0)
			},
			want: nAvail,
		},
		{
			name: "Release with a negative quarantine is no quarantine",
			call: func() (numberpool.Number, error) { return nAssignedR.Release(t0, -time.Hour) },
			want: nReserve,
		},
		{
			name: "Release into Aging keeps the origin and tag",
			call: func() (numberpool.Number, error) { return nRegisteredR.Release(t0, time.Hour) },
			want: nAgingR,
		},
		{
			name: "Release into Aging from Available origin",
			call: func() (numberpool.Number, error) { return nAssignedA.Release(t0, time.Hour) },
			want: nAgingA,
		},
		{
			name: "EndAging exactly when the quarantine ends",
			call: func() (numberpool.Number, error) { return nAgingA.EndAging(t0.Add(time.Hour)) },
			want: nAvail,
		},
		{
			name: "EndAging to Reserved under its tag",
			call: func() (numberpool.Number, error) { return nAgingR.EndAging(t0.Add(2 * time.Hour)) },
			want: nReserve,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.call()
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

// The full life of a ported number: reserved under PORTED, assigned, activated,
// released through a quarantine, and back under PORTED.
func TestPortedNumberLifecycle(t *testing.T) {
	n, err := nAvail.Reserve("ported")
	require.NoError(t, err)
	n, err = n.Assign("acc-1")
	require.NoError(t, err)
	n, err = n.Register()
	require.NoError(t, err)
	n, err = n.Release(t0, 30*24*time.Hour)
	require.NoError(t, err)
	assert.Equal(t, numberpool.Aging, n.State)
	assert.False(t, n.Free(), "an Aging number cannot be handed out")

	_, err = n.EndAging(t0.Add(29 * 24 * time.Hour))
	require.Error(t, err, "quarantine not over")
	n, err = n.EndAging(t0.Add(30 * 24 * time.Hour))
	require.NoError(t, err)
	assert.Equal(t, nReserve, n)
}

func TestEndAgingBeforeQuarantineEnds(t *testing.T) {
	for _, n := range []numberpool.Number{nAgingA, nAgingR} {
		for _, now := range []time.Time{t0, t0.Add(time.Hour - time.Nanosecond), t0.Add(-time.Hour)} {
			got, err := n.EndAging(now)
			require.Error(t, err)
			assert.ErrorIs(t, err, numberpool.ErrTransition)
			assert.Contains(t, err.Error(), "quarantine")
			assert.Contains(t, err.Error(), n.E164)
			assert.Equal(t, n, got)
		}
	}
}

func TestAssignNeedsAccount(t *testing.T) {
	got, err := nAvail.Assign("")
	require.Error(t, err)
	assert.Equal(t, nAvail, got)
}

func TestReserveBadTag(t *testing.T) {
	got, err := nAvail.Reserve("not a tag!")
	require.Error(t, err)
	assert.ErrorIs(t, err, mlerr.ErrInvalid)
	assert.Equal(t, nAvail, got)
}

func TestFree(t *testing.T) {
	want := map[numberpool.State]bool{
		numberpool.Available: true, numberpool.Reserved: true,
		numberpool.Assigned: false, numberpool.Registered: false, numberpool.Aging: false,
	}
	for _, s := range numberpool.States {
		assert.Equal(t, want[s], inState(s).Free(), s)
	}
}

func TestTransfer(t *testing.T) {
	for _, from := range numberpool.States {
		t.Run(string(from), func(t *testing.T) {
			n := inState(from)
			got, err := n.Transfer(sales)
			if n.Free() {
				require.NoError(t, err)
				want := n
				want.OrgID = sales
				assert.Equal(t, want, got, "only the org changes")
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, numberpool.ErrNotAvailable)
			assert.Contains(t, err.Error(), string(from))
			assert.Equal(t, n, got)
		})
	}
}

func TestCheckPick(t *testing.T) {
	tests := []struct {
		name string
		n    numberpool.Number
		org  org.ID
		ok   bool
	}{
		{name: "Available of the org", n: nAvail, org: acme, ok: true},
		{name: "Reserved of the org", n: nReserve, org: acme, ok: true},
		{name: "Available of another org", n: nAvail, org: sales},
		{name: "of no org", n: numberpool.Number{E164: number, State: numberpool.Available}, org: acme},
		{name: "Assigned", n: nAssignedA, org: acme},
		{name: "Registered", n: nRegisteredA, org: acme},
		{name: "Aging", n: nAgingA, org: acme},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := numberpool.CheckPick(tt.n, tt.org)
			if tt.ok {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, numberpool.ErrNotAvailable)
			assert.Contains(t, err.Error(), "not available in this organization")
		})
	}
}

func TestSelectorIsZero(t *testing.T) {
	assert.True(t, numberpool.Selector{}.IsZero())
	assert.False(t, numberpool.Selector{E164: number}.IsZero())
	assert.False(t, numberpool.Selector{Tag: "PORTED"}.IsZero())
}

func TestNormalizeTag(t *testing.T) {
	tests := []struct {
		in   string
		want string // empty: refused
	}{
		{in: "PORTED", want: "PORTED"},
		{in: "ported", want: "PORTED"},
		{in: "  Ported\t", want: "PORTED"},
		{in: "vip-2026_a", want: "VIP-2026_A"},
		{in: "7", want: "7"},
		{in: strings.Repeat("a", 32), want: strings.Repeat("A", 32)},
		{in: strings.Repeat("a", 33)},
		{in: ""},
		{in: "   "},
		{in: "two words"},
		{in: "dot.ted"},
		{in: "plus+"},
		{in: "été"},  // upper-cases to ÉTÉ, not A–Z
		{in: "ǆ"},    // upper-cases to a letter outside A–Z
		{in: "ı"},    // dotless i upper-cases to ASCII I, but was not typed as one
		{in: "ſ"},    // long s upper-cases to ASCII S
		{in: "ﬀ"},    // ligature
		{in: "\xff"}, // not UTF-8
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := numberpool.NormalizeTag(tt.in)
			if tt.want == "" {
				require.Error(t, err)
				assert.ErrorIs(t, err, mlerr.ErrInvalid)
				var fe *mlerr.FieldError
				require.ErrorAs(t, err, &fe)
				assert.Equal(t, "tag.format", fe.Code)
				assert.Empty(t, got)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestCheckCapacity(t *testing.T) {
	tests := []struct {
		name          string
		c             numberpool.Capacity
		take, pending int
		ok            bool
	}{
		{name: "nothing changes, empty org", c: numberpool.Capacity{}, ok: true},
		{name: "one pending, one number", c: numberpool.Capacity{Available: 1}, pending: 1, ok: true},
		{name: "second pending, one number", c: numberpool.Capacity{Available: 1, Pending: 1}, pending: 1},
		{name: "pending fills exactly", c: numberpool.Capacity{Available: 10, Pending: 7}, pending: 3, ok: true},
		{name: "pending one over", c: numberpool.Capacity{Available: 10, Pending: 7}, pending: 4},
		{name: "take the last free number", c: numberpool.Capacity{Available: 1}, take: 1, ok: true},
		{name: "take a number pending needs", c: numberpool.Capacity{Available: 1, Pending: 1}, take: 1},
		{name: "take more than there are", c: numberpool.Capacity{Available: 1}, take: 2},
		{name: "take from an empty pool", c: numberpool.Capacity{}, take: 1},
		{name: "take and add pending that fit", c: numberpool.Capacity{Available: 5, Pending: 1}, take: 2, pending: 2, ok: true},
		{name: "take and add pending that do not", c: numberpool.Capacity{Available: 5, Pending: 1}, take: 2, pending: 3},
		{name: "pending into an empty pool", c: numberpool.Capacity{}, pending: 1},
		{name: "pending leave (move out)", c: numberpool.Capacity{Available: 2, Pending: 2}, pending: -2, ok: true},
		{name: "number returns (release)", c: numberpool.Capacity{Available: 0, Pending: 1}, take: -1, ok: true},
		{name: "pending takes its own number", c: numberpool.Capacity{Available: 3, Pending: 3}, take: 1, pending: -1, ok: true},
		{name: "already broken stays broken", c: numberpool.Capacity{Available: 1, Pending: 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := numberpool.CheckCapacity(tt.c, tt.take, tt.pending)
			if tt.ok {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, numberpool.ErrNotEnoughNumbers)
			assert.Contains(t, err.Error(), "not enough numbers available")
		})
	}
}

func TestParseE164(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
		err  error
	}{
		{name: "E.164", in: "+14155550101", want: "+14155550101"},
		{name: "formatted US", in: "+1 (415) 555-0101", want: "+14155550101"},
		{name: "dots", in: "+1.415.555.0101", want: "+14155550101"},
		{name: "surrounding spaces", in: "  +14155550101\t", want: "+14155550101"},
		{name: "digits only (spreadsheet dropped the +)", in: "14155550101", want: "+14155550101"},
		{name: "UK formatted", in: "+44 20 7946 0958", want: "+442079460958"},
		{name: "UK digits only", in: "442079460958", want: "+442079460958"},
		{name: "Italian landline keeps its 0", in: "+39 06 1234 5678", want: "+390612345678"},
		{name: "Italian digits only keeps its 0", in: "390612345678", want: "+390612345678"},
		{name: "Italian mobile", in: "+39 312 345 6789", want: "+393123456789"},
		{name: "German mobile", in: "+49 1512 3456789", want: "+4915123456789"},
		{name: "French mobile", in: "+33 6 12 34 56 78", want: "+33612345678"},
		{name: "Spanish mobile", in: "+34 612 34 56 78", want: "+34612345678"},
		{name: "full-width digits", in: "+１４１５５５５０１０１", want: "+14155550101"},

		{name: "empty", in: "", err: numberpool.ErrEmptyNumber},
		{name: "blank", in: "   ", err: numberpool.ErrEmptyNumber},
		{name: "scientific", in: "1.41556E+10", err: numberpool.ErrScientific},
		{name: "scientific lower-case", in: "1.41556e+10", err: numberpool.ErrScientific},
		{name: "scientific without sign", in: "1.41556E10", err: numberpool.ErrScientific},
		{name: "scientific comma decimal", in: "1,41556E+10", err: numberpool.ErrScientific},
		{name: "scientific integer mantissa", in: "1E10", err: numberpool.ErrScientific},
		{name: "scientific with spaces around", in: " 4.47911E+11 ", err: numberpool.ErrScientific},
		{name: "national format, no country code", in: "(415) 555-0101", err: numberpool.ErrNoCountryCode},
		{name: "national with spaces", in: "415 555 0101", err: numberpool.ErrNoCountryCode},
		{name: "digits with spaces but no +", in: "1 415 555 0101", err: numberpool.ErrNoCountryCode},
		{name: "00 international prefix with space", in: "00 1 415 555 0101", err: numberpool.ErrNoCountryCode},
		{name: "UK national with trunk 0", in: "020 7946 0958", err: numberpool.ErrNoCountryCode},
		{name: "word", in: "PORTED", err: numberpool.ErrNoCountryCode},
		{name: "digits only, not a number with its country code", in: "4155550101", err: numberpool.ErrBadNumber},
		{name: "too short", in: "+1415", err: numberpool.ErrBadNumber},
		{name: "unassigned country code", in: "+999 1234 5678", err: numberpool.ErrBadNumber},
		{name: "invalid US area code", in: "+1 000 555 0101", err: numberpool.ErrBadNumber},
		{name: "trailing letters", in: "+14155550101abc", err: numberpool.ErrBadNumber},
		{name: "plus only", in: "+", err: numberpool.ErrBadNumber},
		{name: "over 64 characters", in: "+1 415 555 0101" + strings.Repeat(" ", 60), want: "+14155550101"}, // trimmed first
		{name: "over 64 characters inside", in: "+1" + strings.Repeat("-", 63) + "4155550101", err: numberpool.ErrBadNumber},
		{name: "extension", in: "+1 415 555 0101 ext. 12", err: numberpool.ErrBadNumber},
		{name: "RFC 3966 extension", in: "+1-415-555-0101;ext=2", err: numberpool.ErrBadNumber},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := numberpool.ParseE164(tt.in)
			if tt.err != nil {
				require.Error(t, err)
				assert.ErrorIs(t, err, tt.err)
				assert.ErrorIs(t, err, mlerr.ErrInvalid)
				assert.Empty(t, got)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			again, err := numberpool.ParseE164(got)
			require.NoError(t, err)
			assert.Equal(t, got, again, "E.164 output must parse to itself")
		})
	}
}

// exampleNumbers is testdata/libphonenumber/example-numbers.json, a sample of
// libphonenumber's example numbers (Apache-2.0, see the LICENSE beside it).
type exampleNumbers struct {
	Examples []struct {
		Region         string `json:"region"`
		CountryCode    int    `json:"countryCode"`
		Type           string `json:"type"`
		NationalNumber string `json:"nationalNumber"`
		E164           string `json:"e164"`
	} `json:"examples"`
}

func TestParseE164ExampleNumbers(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "libphonenumber", "example-numbers.json"))
	require.NoError(t, err)
	var ex exampleNumbers
	require.NoError(t, json.Unmarshal(raw, &ex))
	require.NotEmpty(t, ex.Examples)

	regions := map[string]int{}
	for _, e := range ex.Examples {
		regions[e.Region]++
		t.Run(e.Region+"/"+e.Type+"/"+e.E164, func(t *testing.T) {
			require.True(t, strings.HasPrefix(e.E164, "+"), "corpus entry")
			got, err := numberpool.ParseE164(e.E164)
			require.NoError(t, err)
			assert.Equal(t, e.E164, got, "E.164 parses to itself")

			digits := strings.TrimPrefix(e.E164, "+")
			got, err = numberpool.ParseE164(digits)
			require.NoError(t, err, "digits only, as a spreadsheet leaves it")
			assert.Equal(t, e.E164, got)

			got, err = numberpool.ParseE164("+" + strconv.Itoa(e.CountryCode) + " " + e.NationalNumber)
			require.NoError(t, err, "country code and national number apart")
			assert.Equal(t, e.E164, got)
		})
	}
	for _, r := range []string{"IT", "DE", "FR", "ES", "GB", "US"} {
		assert.Positive(t, regions[r], "sample has no %s numbers", r)
	}
}

func TestParseE164ErrorsAreDistinct(t *testing.T) {
	errs := []error{numberpool.ErrEmptyNumber, numberpool.ErrScientific, numberpool.ErrNoCountryCode, numberpool.ErrBadNumber}
	for i, a := range errs {
		assert.ErrorIs(t, a, mlerr.ErrInvalid)
		for j, b := range errs {
			assert.Equal(t, i == j, errors.Is(a, b), "%v vs %v", a, b)
		}
	}
}
