package numberpool

import (
	"errors"
	"fmt"
	"strings"

	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/org"
)

// Input is one number to add to a pool: untagged numbers are Available,
// tagged ones Reserved under their tag.
type Input struct {
	Number string
	Tag    string
}

// ParseInputs checks numbers to add to the pool of organization o and returns
// them as new Numbers, all or none: every bad number (not a phone number, a
// repeat, a bad tag) is reported, as field errors of "numbers[i]" joined.
func ParseInputs(o org.ID, in []Input) ([]Number, error) {
	nums := make([]Number, 0, len(in))
	var errs []error
	seen := map[string]int{}
	for i, ni := range in {
		field := fmt.Sprintf("numbers[%d]", i)
		e164, err := ParseE164(ni.Number)
		if err != nil {
			errs = append(errs, mlerr.Invalid(field, CodeNumberFormat, ni.Number, fmt.Sprintf("Number %d must be a valid phone number with its country code", i+1)))
			continue
		}
		if j, dup := seen[e164]; dup {
			errs = append(errs, mlerr.Invalid(field, CodeNumberDuplicate, ni.Number, fmt.Sprintf("Number %d repeats number %d", i+1, j+1)))
			continue
		}
		seen[e164] = i
		n := Number{E164: e164, OrgID: o, State: Available}
		if strings.TrimSpace(ni.Tag) != "" {
			if n, err = n.Reserve(ni.Tag); err != nil {
				errs = append(errs, mlerr.Invalid(field, CodeTagFormat, ni.Tag, fmt.Sprintf("Number %d: tag must be 1 to 32 letters, digits, dashes or underscores", i+1)))
				continue
			}
		}
		nums = append(nums, n)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return nums, nil
}

// CheckAddTo checks that numbers may be added to the pool of o: numbers
// enter an organization tree at its root.
func CheckAddTo(o org.Org) error {
	if o.ParentID != "" {
		return mlerr.Invalid("org", CodeNumbersNotRoot, string(o.ID), "Numbers enter an organization tree at its root; allocate them to sub-organizations from there")
	}
	return nil
}

// Exists is the refusal of a number that is in a number pool already, this
// tree's or another's: the answer is the same, it is not the organization's
// to add.
func Exists(e164 string) error {
	return &mlerr.FieldError{Field: "numbers", Code: CodeNumberExists, Value: e164, Message: fmt.Sprintf("Number %s is already in a number pool", e164), Err: mlerr.ErrAlreadyExists}
}

// CheckTransferSelection checks the numbers an allocation or a withdrawal
// names: at least one.
func CheckTransferSelection(numbers []string) error {
	if len(numbers) == 0 {
		return mlerr.Invalid("numbers", CodeNumbersRequired, "", "Numbers: select at least one number")
	}
	return nil
}

// NoParent is the refusal of a withdrawal from a root organization, which
// has no parent to withdraw numbers to.
func NoParent(o org.ID) error {
	return mlerr.Invalid("org", CodeNumbersNoParent, string(o), "A root organization has no parent to withdraw numbers to")
}

// CheckAllocateTo checks the destination of an allocation from organization
// from: a direct sub-organization. found is false when the destination does
// not exist, which is answered the same way.
func CheckAllocateTo(from org.ID, to org.Org, found bool, id org.ID) error {
	if !found || to.ParentID != from {
		return mlerr.Invalid("to", CodeOrgNotChild, string(id), "Numbers can be allocated only to a direct sub-organization")
	}
	return nil
}

// NotFree is the refusal of a number an allocation or a withdrawal names
// that is not a free number (Available or Reserved) of the organization it
// leaves.
func NotFree(number string) error {
	return &mlerr.FieldError{Field: "numbers", Code: CodeNotAvailable, Value: number,
		Message: fmt.Sprintf("Number %s is not a free number of this organization", number), Err: ErrNotAvailable}
}
