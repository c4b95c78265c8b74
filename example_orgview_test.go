package multiline_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/permissions"
	"github.com/multilinehq/multiline/store/memory"
)

// OrgTree is the organization selector of a portal: the trees an
// administrator covers, with the settings in force in each organization. An
// administrator of a sub-organization sees it as a root, without its
// parent.
func ExampleService_OrgTree() {
	ctx := context.Background()
	svc, _ := multiline.New(memory.New(), multiline.WithLogger(slog.New(slog.DiscardHandler)))
	acme, _ := svc.CreateTenant(ctx, multiline.TenantInput{OrgName: "Acme Corp", AdminName: "Ada", AdminEmail: "ada@acme.example",
		Settings: org.Settings{SocialMessaging: org.Set(true)}})
	root := acme.Admin.ID
	sales, _ := svc.CreateOrg(ctx, root, acme.Org.ID, multiline.OrgInput{Name: "Sales"})
	_, _ = svc.CreateOrg(ctx, root, acme.Org.ID, multiline.OrgInput{Name: "Field Support"})
	_, _ = svc.CreateOrg(ctx, root, sales.ID, multiline.OrgInput{Name: "Inside Sales"})
	seller, _ := svc.CreateAdmin(ctx, root, multiline.AdminInput{Name: "Sam", Email: "sam@acme.example",
		Roles: []permissions.Role{{Privileges: []permissions.Privilege{permissions.Accounts}, Orgs: []org.ID{sales.ID}}}})

	var show func(ns []multiline.OrgNode, depth int)
	show = func(ns []multiline.OrgNode, depth int) {
		for _, n := range ns {
			fmt.Printf("%s%s social=%t apps=%v privileges=%v root=%t\n", strings.Repeat("  ", depth), n.Name,
				n.SocialMessaging, n.Applications, n.Privileges, n.ParentID == "")
			show(n.Children, depth+1)
		}
	}
	for _, who := range []permissions.AdminID{root, seller.ID} {
		tree, err := svc.OrgTree(ctx, who)
		if err != nil {
			fmt.Println(err)
			return
		}
		show(tree, 0)
	}
	// Output:
	// Acme Corp social=true apps=[mobile] privileges=[Accounts Reports Setup] root=true
	//   Field Support social=true apps=[mobile] privileges=[Accounts Reports Setup] root=false
	//   Sales social=true apps=[mobile] privileges=[Accounts Reports Setup] root=false
	//     Inside Sales social=true apps=[mobile] privileges=[Accounts Reports Setup] root=false
	// Sales social=true apps=[mobile] privileges=[Accounts] root=true
	//   Inside Sales social=true apps=[mobile] privileges=[Accounts] root=false
}

// Profiles is the Single Account form's User permissions choice: the
// profiles of the organization and its ancestors, and the default in
// force. WriteBatchTemplate is the Batch Import's template for the
// organization: the restrict_incoming_social_messaging column only where
// social messaging is on.
func ExampleService_Profiles() {
	ctx := context.Background()
	svc, _ := multiline.New(memory.New(), multiline.WithLogger(slog.New(slog.DiscardHandler)))
	acme, _ := svc.CreateTenant(ctx, multiline.TenantInput{OrgName: "Acme Corp", AdminName: "Ada", AdminEmail: "ada@acme.example"})
	root := acme.Admin.ID
	sales, _ := svc.CreateOrg(ctx, root, acme.Org.ID, multiline.OrgInput{Name: "Sales"})
	_, _ = svc.CreateProfile(ctx, root, sales.ID, multiline.ProfileInput{Name: "Sales CoS", Default: true})
	_, _ = svc.CreateProfile(ctx, root, acme.Org.ID, multiline.ProfileInput{Name: "Executive"})

	ps, err := svc.Profiles(ctx, root, sales.ID)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range ps.Items {
		fmt.Printf("%s default=%t\n", p.Name, p.ID == ps.Default)
	}

	if err := svc.WriteBatchTemplate(ctx, root, sales.ID, os.Stdout); err != nil {
		fmt.Println(err)
	}
	// Output:
	// Sales CoS default=true
	// Executive default=false
	// Standard default=false
	// firstname,lastname,email address or device,social_messaging,multiline_number,monitor_calls,monitor_sms,forwarding_number,Language
	// Jane,Doe,jane.doe@example.com,No,,auto,off,,English
	// Note: fill in one row per account below the header and delete the example row and this Note line before uploading. Mandatory columns: email address or device (an email or a phone number with its country code) - social_messaging (Yes or No) - monitor_calls (auto or off) - monitor_sms (on or off).,,,,,,,,
}
