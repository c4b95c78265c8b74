package account_test

import (
	"fmt"

	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/permissions"
)

// Validating the single-account form: the normalized draft, or every field
// error at once, each naming its field and the stable code of its rule.
func ExampleValidate() {
	settings := org.Defaults()
	settings.EmailDomains = []string{"@acme.example"}
	policy := account.Policy{
		Form:     account.SingleForm,
		Settings: settings,
		Lineage:  []org.ID{"acme"},
		Profiles: []permissions.Profile{{ID: "standard", OrgID: "acme", Name: "Standard", Default: true}},
	}
	d, err := account.Validate(account.Input{
		FirstName: " Grace ", LastName: "Hopper", AccountID: "grace",
		Applications: []org.Application{org.AppMobile}, Email: "Grace@ACME.example",
		AssignNumber: "+1 (415) 555-0101",
	}, policy)
	fmt.Println(err)
	fmt.Printf("%q %s %s %s\n", d.Account.FirstName, d.Account.Username, d.Account.ProfileID, d.Number.E164)

	_, err = account.Validate(account.Input{
		FirstName: "Alan\nTuring", AccountID: "alan", Email: "alan@other.example",
		Applications: []org.Application{org.AppMobile}, Forwarding: "+12",
	}, policy)
	for _, fe := range mlerr.Fields(err) {
		fmt.Println(fe.Field, fe.Code)
	}
	fmt.Println(mlerr.CodeOf(err))
	// Output:
	// <nil>
	// "Grace" grace@acme.example standard +14155550101
	// first_name first_name.control_character
	// last_name last_name.required
	// email email.domain_not_allowed
	// forwarding_number forwarding_number.length
	// first_name.control_character
}
