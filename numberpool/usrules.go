package numberpool

import (
	"regexp"
	"slices"
	"sync"

	"github.com/nyaruka/phonenumbers"
)

// usRules are the US's rules of phonenumbers' metadata, compiled once:
// validInUS is phonenumbers.IsValidNumberForRegion(n, "US") for a national
// number n of code 1. The library builds each rule's expression from its
// pattern at every call ("^(?:" + pattern + ")$", a string of up to a few
// hundred bytes, twice per rule, before it finds the compiled expression in
// its cache), which was most of what validating an import's North American
// numbers allocated. TestUSRules compares the two for every area code.
type usRules struct {
	general, fixed, mobile rule
	// others are the rules of the other types, in the order the library
	// tries them: any of them makes a number valid.
	others             []rule
	sameMobileAndFixed bool
}

// rule is one PhoneNumberDesc of the metadata: a number matches it when its
// length is one of lengths (any length when there are none) and it matches
// re, as phonenumbers' isNumberMatchingDesc decides.
type rule struct {
	lengths []int32
	re      *regexp.Regexp
}

func newRule(d *phonenumbers.PhoneNumberDesc) rule {
	return rule{lengths: d.GetPossibleLength(), re: regexp.MustCompile("^(?:" + d.GetNationalNumberPattern() + ")$")}
}

func (r rule) match(nsn string) bool {
	if len(r.lengths) > 0 && !slices.Contains(r.lengths, int32(len(nsn))) {
		return false
	}
	return r.re.MatchString(nsn)
}

// us returns the US's rules, or nil if the metadata has none (then the
// library answers).
var us = sync.OnceValue(func() *usRules {
	meta, err := phonenumbers.MetadataCollection()
	if err != nil {
		return nil
	}
	for _, m := range meta.GetMetadata() {
		if m.GetId() != "US" {
			continue
		}
		r := &usRules{general: newRule(m.GetGeneralDesc()), fixed: newRule(m.GetFixedLine()), mobile: newRule(m.GetMobile()),
			sameMobileAndFixed: m.GetSameMobileAndFixedLinePattern()}
		for _, d := range []*phonenumbers.PhoneNumberDesc{m.GetPremiumRate(), m.GetTollFree(), m.GetSharedCost(), m.GetVoip(),
			m.GetPersonalNumber(), m.GetPager(), m.GetUan(), m.GetVoicemail()} {
			r.others = append(r.others, newRule(d))
		}
		return r
	}
	return nil
})

// validInUS reports whether nsn, the national significant number of a
// number of code 1, is valid by the US's rules: phonenumbers'
// getNumberTypeHelper finds it a type other than UNKNOWN.
func (r *usRules) validInUS(nsn string) bool {
	if !r.general.match(nsn) {
		return false
	}
	for _, o := range r.others {
		if o.match(nsn) {
			return true
		}
	}
	if r.fixed.match(nsn) {
		return true
	}
	return !r.sameMobileAndFixed && r.mobile.match(nsn)
}
