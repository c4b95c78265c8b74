package faultstore_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/store/faultstore"
	"github.com/multilinehq/multiline/store/memory"
)

// A host proves that an operation hands every store failure back as itself:
// it fails the operation's first store call, then its second, and so on.
func Example() {
	ctx := context.Background()
	fs := faultstore.New(memory.New())
	svc, err := multiline.New(fs, multiline.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		panic(err)
	}
	in := multiline.TenantInput{OrgName: "Acme", AdminName: "Ada", AdminEmail: "ada@acme.example"}
	for n := 1; ; n++ {
		fs.FailCall(n)
		_, err := svc.CreateTenant(ctx, in)
		if fs.Injected() == nil {
			fmt.Printf("created after %d failed attempts: %v\n", n-1, err)
			return
		}
		fmt.Printf("%s: passed through %v\n", fs.Injected().Method, errors.Is(err, faultstore.ErrInjected))
	}
	// Output:
	// Tx: passed through true
	// CreateOrg: passed through true
	// CreateProfile: passed through true
	// CreateAdmin: passed through true
	// AppendAudit: passed through true
	// AppendAudit: passed through true
	// AppendAudit: passed through true
	// Commit: passed through true
	// created after 8 failed attempts: <nil>
}
