// Package numberpool holds business numbers, the state machine they move
// through, the rules for picking one by number or by tag, the short list
// offered at activation, and the capacity invariant.
//
// States, as the portal names them: Available (free for anyone), Reserved
// (set aside under a tag, handed out only when picked by number or tag),
// Assigned (held by an account that has not activated), Registered (the
// account activated on it), and Aging (released, in quarantine). The allowed
// transitions are:
//
//	Available  → Reserved (Reserve)     Reserved → Available (Unreserve)
//	Available  → Assigned (Assign)      Reserved → Assigned (Assign)
//	Assigned   → Registered (Register)
//	Assigned   → Available | Reserved | Aging (Release)
//	Registered → Available | Reserved | Aging (Release)
//	Aging      → Available | Reserved (EndAging, once the quarantine is over)
//
// A released number returns to the state it was assigned from (Origin), so a
// ported number set aside under PORTED goes back under PORTED. Every other
// transition fails with an error wrapping ErrTransition. Numbers move between
// organizations only while unused (Available or Reserved): allocated from a
// parent to a child, withdrawn from a child to its parent.
//
// The capacity invariant (SPEC §4): in every organization the pending
// invitations that have no number of their own never outnumber the Available
// numbers. CheckCapacity is the one place that decides it.
package numberpool

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nyaruka/phonenumbers"

	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/org"
)

var (
	// ErrNotEnoughNumbers reports that an operation would leave pending
	// invitations without a number to pick, or that no number fits a request.
	ErrNotEnoughNumbers = mlerr.New(CodeNotEnough, "numberpool: not enough numbers available")
	// ErrNotAvailable reports a number that is not free in this organization:
	// it belongs to another organization, to none, or is held already.
	ErrNotAvailable = mlerr.New(CodeNotAvailable, "numberpool: number not available in this organization")
	// ErrTransition reports a state change the state machine forbids.
	ErrTransition = mlerr.New(CodeTransition, "numberpool: transition not allowed")
)

// State is where a number stands.
type State string

// The number states.
const (
	Available  State = "Available"
	Reserved   State = "Reserved"
	Assigned   State = "Assigned"
	Registered State = "Registered"
	Aging      State = "Aging"
)

// States lists every state.
var States = []State{Available, Reserved, Assigned, Registered, Aging}

// Number is one business number of an organization's pool.
type Number struct {
	E164  string // the number, in E.164: +14155550101
	OrgID org.ID
	State State
	Tag   string // e.g. PORTED; set for Reserved numbers, may be set on others
	// Account is the account holding the number while Assigned or
	// Registered. Its audit-log key stays "AccountID".
	Account string `json:"AccountID"`
	// Origin is the state the number was assigned from (Available or
	// Reserved), where Release returns it.
	Origin State
	// AgingUntil is when an Aging number's quarantine ends.
	AgingUntil time.Time
}

// TransitionError reports a forbidden state change.
type TransitionError struct {
	E164     string
	From, To State
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("numberpool: %s cannot go from %s to %s", e.E164, e.From, e.To)
}

// Unwrap returns ErrTransition.
func (e *TransitionError) Unwrap() error { return ErrTransition }

// ErrorCode returns CodeTransition.
func (e *TransitionError) ErrorCode() string { return CodeTransition }

func (n Number) refuse(to State) error { return &TransitionError{E164: n.E164, From: n.State, To: to} }

// Free reports whether n can be handed out or moved: Available or Reserved.
func (n Number) Free() bool { return n.State == Available || n.State == Reserved }

// Reserve sets an Available number aside under tag.
func (n Number) Reserve(tag string) (Number, error) {
	if n.State != Available {
		return n, n.refuse(Reserved)
	}
	tag, err := NormalizeTag(tag)
	if err != nil {
		return n, err
	}
	n.State, n.Tag = Reserved, tag
	return n, nil
}

// Unreserve makes a Reserved number Available; it keeps its tag as a label.
func (n Number) Unreserve() (Number, error) {
	if n.State != Reserved {
		return n, n.refuse(Available)
	}
	n.State = Available
	return n, nil
}

// Assign gives a free number to an account.
func (n Number) Assign(accountID string) (Number, error) {
	if !n.Free() {
		return n, n.refuse(Assigned)
	}
	if accountID == "" {
		return n, errors.New("numberpool: assign needs an account")
	}
	n.Origin, n.State, n.Account = n.State, Assigned, accountID
	return n, nil
}

// Register marks an Assigned number as the one its account activated on.
func (n Number) Register() (Number, error) {
	if n.State != Assigned {
		return n, n.refuse(Registered)
	}
	n.State = Registered
	return n, nil
}

// Release frees a held number: back to its Origin, or into Aging until
// now+quarantine when quarantine is positive.
func (n Number) Release(now time.Time, quarantine time.Duration) (Number, error) {
	to := n.Origin
	if to == "" {
		to = Available
	}
	if quarantine > 0 {
		to = Aging
	}
	if n.State != Assigned && n.State != Registered {
		return n, n.refuse(to)
	}
	n.Account = ""
	if quarantine > 0 {
		n.State, n.AgingUntil = Aging, now.Add(quarantine)
		return n, nil
	}
	n.State, n.Origin = to, ""
	return n, nil
}

// EndAging returns an Aging number whose quarantine is over to its Origin.
func (n Number) EndAging(now time.Time) (Number, error) {
	to := n.Origin
	if to == "" {
		to = Available
	}
	if n.State != Aging {
		return n, n.refuse(to)
	}
	if now.Before(n.AgingUntil) {
		return n, fmt.Errorf("%w: %s is in quarantine until %s", ErrTransition, n.E164, n.AgingUntil.Format(time.RFC3339))
	}
	n.State, n.Origin, n.AgingUntil = to, "", time.Time{}
	return n, nil
}

// Transfer moves a free number to another organization; a held one is refused.
func (n Number) Transfer(to org.ID) (Number, error) {
	if !n.Free() {
		return n, fmt.Errorf("%w: %s is %s", ErrNotAvailable, n.E164, n.State)
	}
	n.OrgID = to
	return n, nil
}

// Follow moves a held number (Assigned or Registered) to the organization its
// account moves to: the number goes with the account.
func (n Number) Follow(to org.ID) (Number, error) {
	if n.State != Assigned && n.State != Registered {
		return n, fmt.Errorf("%w: %s is %s, not held by an account", ErrTransition, n.E164, n.State)
	}
	n.OrgID = to
	return n, nil
}

// maxTagLen bounds a tag.
const maxTagLen = 32

// NormalizeTag checks a tag, 1 to 32 ASCII letters, digits, dashes or
// underscores once surrounding spaces are trimmed, and upper-cases it.
func NormalizeTag(tag string) (string, error) {
	t := strings.TrimSpace(tag)
	if t == "" || len(t) > maxTagLen {
		return "", mlerr.Invalid("tag", CodeTagFormat, tag, "Tag must be 1 to 32 letters, digits, dashes or underscores")
	}
	// Check before upper-casing: strings.ToUpper maps some non-ASCII letters
	// (dotless ı, long ſ) to ASCII ones, which would let them through.
	for _, r := range t {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return "", mlerr.Invalid("tag", CodeTagFormat, tag, "Tag must be 1 to 32 letters, digits, dashes or underscores")
		}
	}
	return strings.ToUpper(t), nil
}

// Selector says which number an account gets: a number (E164) or a tag.
type Selector struct {
	E164 string
	Tag  string
}

// IsZero reports whether s asks for nothing.
func (s Selector) IsZero() bool { return s.E164 == "" && s.Tag == "" }

// CheckPick checks that n may be handed out in organization o: it belongs to
// o, and is Available or Reserved.
func CheckPick(n Number, o org.ID) error {
	if n.OrgID != o || !n.Free() {
		return fmt.Errorf("%w: %s", ErrNotAvailable, n.E164)
	}
	return nil
}

// Capacity counts what the capacity invariant and the utilization alert
// weigh in one organization.
type Capacity struct {
	Available int // Available numbers
	Pending   int // pending invitations without a number of their own
	Held      int // Assigned or Registered numbers
	Total     int // all its numbers, in every state
}

// Utilization is the share of the organization's numbers that are Assigned
// or Registered, in percent (0 for an empty pool).
func (c Capacity) Utilization() float64 {
	if c.Total == 0 {
		return 0
	}
	return 100 * float64(c.Held) / float64(c.Total)
}

// Crossed reports whether a change took utilization from below threshold
// (a percentage, 1–100) to at or above it: the moment the utilization alert
// fires, once, rather than on every change while above.
func Crossed(before, after Capacity, threshold int) bool {
	if threshold <= 0 {
		return false
	}
	t := float64(threshold)
	return before.Utilization() < t && after.Utilization() >= t
}

// CheckCapacity checks that the invariant still holds after a change that
// takes `take` Available numbers away and adds `pending` pending invitations
// without a number. It returns an error wrapping ErrNotEnoughNumbers if not.
func CheckCapacity(c Capacity, take, pending int) error {
	avail, want := c.Available-take, c.Pending+pending
	if avail < 0 || want > avail {
		return fmt.Errorf("%w: %d Available, %d needed", ErrNotEnoughNumbers, c.Available, c.Pending+pending+take)
	}
	return nil
}

// ParseE164 parses a phone number written with its country code, in any of
// the forms people type: "+1 (415) 555-0101", "+14155550101", or digits only
// ("14155550101") as spreadsheets leave them once they drop the "+". It
// returns the number in E.164. A number in scientific notation ("1.41556E+10")
// has lost digits and is refused with ErrScientific.
func ParseE164(s string) (string, error) { return parseE164(s, true) }

// parseE164 is ParseE164, with or without the fast path for North American
// numbers (nanpNumber); its tests compare the two.
func parseE164(s string, fast bool) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", ErrEmptyNumber
	}
	if looksScientific(s) {
		return "", ErrScientific
	}
	if len(s) > 64 {
		return "", ErrBadNumber
	}
	in := s
	if !strings.HasPrefix(in, "+") {
		if !onlyDigits(in) {
			return "", ErrNoCountryCode
		}
		in = "+" + in
	}
	if e164, nsn, ok := nanpNumber(in); ok && fast {
		// What phonenumbers.Parse would return (see nanpNumber), judged by
		// the library's own rule. IsValidNumber judges a number of code 1
		// by the first region of the code whose rules know it, and the
		// first is the US, which claims no leading digits: a number valid
		// in the US is valid, which IsValidNumberForRegion tells with half
		// of IsValidNumber's work (that finds the region by the US's rules
		// and then checks them again). TestNANPFastPath checks the premises
		// against the library's metadata.
		// The US's rules are the library's, compiled once (see usRules);
		// e164 is "+1" and the national number's ten digits.
		cc := int32(1)
		num := &phonenumbers.PhoneNumber{CountryCode: &cc, NationalNumber: &nsn}
		if r := us(); r != nil {
			if r.validInUS(e164[2:]) {
				return e164, nil
			}
		} else if phonenumbers.IsValidNumberForRegion(num, "US") {
			return e164, nil
		}
		if !phonenumbers.IsValidNumber(num) {
			return "", ErrBadNumber
		}
		return e164, nil
	}
	num, err := phonenumbers.Parse(in, "")
	// An extension ("ext. 12", ";ext=2") is refused rather than dropped: E.164
	// has no room for it, and the number without it is not what was typed.
	if err != nil || !phonenumbers.IsValidNumber(num) || num.GetExtension() != "" {
		return "", ErrBadNumber
	}
	return phonenumbers.Format(num, phonenumbers.E164), nil
}

// nanpNumber reads in as a number of the North American Numbering Plan
// written the common ways: "+", then "1" and ten ASCII digits, the first of
// them 2–9, with spaces and hyphens anywhere after the "+" and a digit last
// ("+14155550101", "+1 415 555 0101", "+1-415-555-0101"). It returns the
// number in E.164 and its national number. Any other input is not one (ok
// false), and ParseE164 leaves it to phonenumbers.Parse.
//
// Why phonenumbers.Parse(in, "") reads such an input as country code 1 and
// that national number, with no extension and no leading zero, so that
// IsValidNumber and the E.164 format of the two agree (Parse is a few
// regular-expression passes, over half the cost of ParseE164 on an import,
// where most numbers are North American):
//   - spaces and hyphens are punctuation it drops, and a digit last leaves
//     nothing for it to trim at the end;
//   - every extension form it knows needs a letter, '#', '~', ',' or ';':
//     none can match;
//   - the digits follow a '+', so it takes the country code from them: "1"
//     is one (no code starts with "1" and has more digits);
//   - country code 1's metadata (US) has national prefix "1" for parsing,
//     which a national number starting 2–9 does not start with, so nothing
//     is stripped; and no leading zero is possible.
//
// TestNANPFastPath checks it against phonenumbers for every area code and
// FuzzNANPFastPath for any input.
func nanpNumber(in string) (e164 string, nsn uint64, ok bool) {
	if len(in) < 12 || in[0] != '+' || !isDigit(in[len(in)-1]) {
		return "", 0, false
	}
	var d [11]byte
	n := 0
	for i := 1; i < len(in); i++ {
		switch c := in[i]; {
		case isDigit(c):
			if n == len(d) {
				return "", 0, false
			}
			d[n] = c
			n++
		case c == ' ' || c == '-':
		default:
			return "", 0, false
		}
	}
	if n != len(d) || d[0] != '1' || d[1] < '2' {
		return "", 0, false
	}
	for _, c := range d[1:] {
		nsn = nsn*10 + uint64(c-'0')
	}
	if len(in) == 1+len(d) {
		return in, nsn, true // already E.164: no copy
	}
	return "+" + string(d[:]), nsn, true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// Errors of ParseE164; each wraps mlerr.ErrInvalid.
var (
	ErrEmptyNumber   = fmt.Errorf("%w: empty phone number", mlerr.ErrInvalid)
	ErrScientific    = fmt.Errorf("%w: phone number in scientific notation has lost digits", mlerr.ErrInvalid)
	ErrNoCountryCode = fmt.Errorf("%w: phone number without country code", mlerr.ErrInvalid)
	ErrBadNumber     = fmt.Errorf("%w: not a valid phone number", mlerr.ErrInvalid)
)

func onlyDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// looksScientific reports a cell like "1.41556E+10" or "1E10".
func looksScientific(s string) bool {
	i := strings.IndexAny(s, "eE")
	if i <= 0 || i == len(s)-1 {
		return false
	}
	mant, exp := s[:i], strings.TrimPrefix(s[i+1:], "+")
	if !onlyDigits(exp) {
		return false
	}
	mant = strings.Replace(mant, ".", "", 1)
	mant = strings.Replace(mant, ",", "", 1)
	return onlyDigits(mant)
}
