package storetest

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/numberpool"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/permissions"
)

// testRecords checks that every kind of record comes back as it was stored,
// both within the transaction that wrote it and after commit.
func testRecords(t *testing.T, newStore func(*testing.T) multiline.Store) {
	t.Run("Org", func(t *testing.T) {
		f := newFixture(t, newStore)
		parent := f.createOrg("")
		o := f.newOrg(parent.ID)
		o.Settings = org.Settings{
			SocialMessaging:  org.Set(true),
			SMTPDataOffload:  org.Set(false),
			Features:         org.Set([]org.Feature{org.FeatureTeamsCalling, org.FeatureSMSRecording}),
			Applications:     org.Set([]org.Application{org.AppMobile, org.AppTeams}),
			EmailDomains:     org.Set([]string{"@example.com", "example.org"}),
			Language:         org.Set("fr"),
			InvitationTTL:    org.Set(36 * time.Hour),
			UtilizationAlert: org.Set(80),
			AlertRecipients:  org.Set([]string{"ops@example.com"}),
			InvitationTemplates: org.Set([]org.TemplateText{
				{Language: "fr", Part: "subject", Source: "Votre invitation {{.OrgName}}"},
				{Language: "fr", Part: "text", Source: "Bonjour {{.FirstName}}"},
			}),
		}
		inTx := get(f, func(ctx context.Context, tx multiline.Tx) (org.Org, error) {
			if err := tx.CreateOrg(ctx, o); err != nil {
				return org.Org{}, err
			}
			return tx.Org(ctx, o.ID)
		})
		assert.Equal(t, o, inTx, "a transaction reads its own write")
		assert.Equal(t, o, get(f, func(ctx context.Context, tx multiline.Tx) (org.Org, error) { return tx.Org(ctx, o.ID) }))
	})

	t.Run("UpdateOrg", func(t *testing.T) {
		f := newFixture(t, newStore)
		root, other := f.createOrg(""), f.createOrg("")
		o := f.createOrg(root.ID)
		upd := o
		upd.Name = "Renamed"
		upd.Settings = org.Settings{Language: org.Set("es"), UtilizationAlert: org.Set(90)}
		// UpdateOrg replaces the name and settings only: the organization's
		// place in the tree and its creation time are not changed by it.
		upd.ParentID = other.ID
		upd.Created = o.Created.Add(time.Hour)
		f.must(func(ctx context.Context, tx multiline.Tx) error { return tx.UpdateOrg(ctx, upd) })

		want := o
		want.Name, want.Settings = upd.Name, upd.Settings
		assert.Equal(t, want, get(f, func(ctx context.Context, tx multiline.Tx) (org.Org, error) { return tx.Org(ctx, o.ID) }))
		kids := get(f, func(ctx context.Context, tx multiline.Tx) ([]org.Org, error) { return tx.Children(ctx, root.ID) })
		assert.Equal(t, []org.Org{want}, kids)
	})

	t.Run("Admin", func(t *testing.T) {
		f := newFixture(t, newStore)
		a := f.newAdmin()
		f.must(func(ctx context.Context, tx multiline.Tx) error { return tx.CreateAdmin(ctx, a) })
		assert.Equal(t, a, get(f, func(ctx context.Context, tx multiline.Tx) (permissions.Admin, error) { return tx.Admin(ctx, a.ID) }))
	})

	t.Run("Number", func(t *testing.T) {
		f := newFixture(t, newStore)
		o := f.createOrg("")
		n := numberpool.Number{
			E164: f.e164(), OrgID: o.ID, State: numberpool.Aging, Tag: "PORTED",
			Origin: numberpool.Reserved, AgingUntil: at(100),
		}
		inTx := get(f, func(ctx context.Context, tx multiline.Tx) (numberpool.Number, error) {
			if err := tx.CreateNumber(ctx, n); err != nil {
				return numberpool.Number{}, err
			}
			return tx.Number(ctx, n.E164)
		})
		assert.Equal(t, n, inTx, "a transaction reads its own write")
		assert.Equal(t, n, f.number(n.E164))

		n.State, n.Origin, n.AgingUntil = numberpool.Reserved, "", time.Time{}
		f.must(func(ctx context.Context, tx multiline.Tx) error { return tx.UpdateNumber(ctx, n) })
		assert.Equal(t, n, f.number(n.E164))
	})

	t.Run("Account", func(t *testing.T) {
		f := newFixture(t, newStore)
		o := f.createOrg("")
		a := f.newAccount(o.ID)
		a.Device, a.Number, a.ProfileID, a.Forwarding = "+14155550100", "+14155550111", "profile-1", "+390612345"
		a.SocialMessaging, a.RestrictIncomingSocial, a.RecordCalls, a.RecordSMS = true, true, true, true
		a.Status, a.SuspendedFrom, a.BatchID = account.Suspended, account.Activated, "batch-1"
		inTx := get(f, func(ctx context.Context, tx multiline.Tx) (account.Account, error) {
			if err := tx.CreateAccount(ctx, a); err != nil {
				return account.Account{}, err
			}
			return tx.Account(ctx, a.ID)
		})
		assert.Equal(t, a, inTx, "a transaction reads its own write")
		assert.Equal(t, a, get(f, func(ctx context.Context, tx multiline.Tx) (account.Account, error) { return tx.Account(ctx, a.ID) }))

		a.Status, a.SuspendedFrom, a.Updated = account.Activated, "", at(500)
		f.must(func(ctx context.Context, tx multiline.Tx) error { return tx.UpdateAccount(ctx, a) })
		assert.Equal(t, a, get(f, func(ctx context.Context, tx multiline.Tx) (account.Account, error) { return tx.Account(ctx, a.ID) }))
	})

	t.Run("Invitation", func(t *testing.T) {
		f := newFixture(t, newStore)
		o := f.createOrg("")
		a := f.createAccount(o.ID)
		inv := f.newInvitation(a)
		inTx := get(f, func(ctx context.Context, tx multiline.Tx) (invite.Invitation, error) {
			if err := tx.CreateInvitation(ctx, inv); err != nil {
				return invite.Invitation{}, err
			}
			return tx.Invitation(ctx, a.ID)
		})
		assert.Equal(t, inv, inTx, "a transaction reads its own write")

		inv.TokenVersion, inv.State, inv.Updated = 4, invite.Redeemed, at(500)
		inv.Retired = append(inv.Retired, inv.TokenHash)
		inv.TokenHash = invite.HashToken("token-v4")
		f.must(func(ctx context.Context, tx multiline.Tx) error { return tx.UpdateInvitation(ctx, inv) })
		assert.Equal(t, inv, get(f, func(ctx context.Context, tx multiline.Tx) (invite.Invitation, error) { return tx.Invitation(ctx, a.ID) }))

		// An account has at most one invitation.
		second := f.newInvitation(a)
		err := f.do(func(ctx context.Context, tx multiline.Tx) error { return tx.CreateInvitation(ctx, second) })
		requireUnique(t, err, "")
		assert.Equal(t, inv, get(f, func(ctx context.Context, tx multiline.Tx) (invite.Invitation, error) { return tx.Invitation(ctx, a.ID) }))
	})

	t.Run("Message", func(t *testing.T) {
		f := newFixture(t, newStore)
		o := f.createOrg("")
		m := f.newMessage(o.ID)
		inTx := get(f, func(ctx context.Context, tx multiline.Tx) (invite.Message, error) {
			if err := tx.Enqueue(ctx, m); err != nil {
				return invite.Message{}, err
			}
			return tx.Message(ctx, m.ID)
		})
		assert.Equal(t, m, inTx, "a transaction reads its own write")

		m.State, m.Attempts, m.LastError, m.NextAttempt = invite.Failed, 1, "smtp: 421 try later", at(600)
		f.must(func(ctx context.Context, tx multiline.Tx) error { return tx.UpdateMessage(ctx, m) })
		assert.Equal(t, m, get(f, func(ctx context.Context, tx multiline.Tx) (invite.Message, error) { return tx.Message(ctx, m.ID) }))
	})

	t.Run("Children", func(t *testing.T) {
		f := newFixture(t, newStore)
		root, otherRoot := f.createOrg(""), f.createOrg("")
		c1, c2 := f.createOrg(root.ID), f.createOrg(root.ID)
		grandchild := f.createOrg(c1.ID)
		otherChild := f.createOrg(otherRoot.ID)

		children := func(id org.ID) []org.Org {
			return get(f, func(ctx context.Context, tx multiline.Tx) ([]org.Org, error) { return tx.Children(ctx, id) })
		}
		// The contract gives Children no order.
		assert.ElementsMatch(t, []org.Org{c1, c2}, children(root.ID), "direct children only, not grandchildren")
		assert.Equal(t, []org.Org{grandchild}, children(c1.ID))
		assert.Empty(t, children(c2.ID))
		assert.Empty(t, children(grandchild.ID))
		assert.Equal(t, []org.Org{otherChild}, children(otherRoot.ID))
	})

	t.Run("Profiles", func(t *testing.T) {
		f := newFixture(t, newStore)
		a, b, c := f.createOrg(""), f.createOrg(""), f.createOrg("")
		pa1, pa2 := f.newProfile(a.ID, true), f.newProfile(a.ID, false)
		pb, pc := f.newProfile(b.ID, true), f.newProfile(c.ID, false)
		f.must(func(ctx context.Context, tx multiline.Tx) error {
			for _, p := range []permissions.Profile{pa1, pa2, pb, pc} {
				if err := tx.CreateProfile(ctx, p); err != nil {
					return err
				}
			}
			return nil
		})
		profiles := func(orgs ...org.ID) []permissions.Profile {
			return get(f, func(ctx context.Context, tx multiline.Tx) ([]permissions.Profile, error) {
				return tx.Profiles(ctx, orgs)
			})
		}
		// The contract gives Profiles no order.
		assert.ElementsMatch(t, []permissions.Profile{pa1, pa2, pb}, profiles(a.ID, b.ID))
		assert.ElementsMatch(t, []permissions.Profile{pc}, profiles(c.ID))
		assert.ElementsMatch(t, []permissions.Profile{pa1, pa2, pb, pc}, profiles(c.ID, b.ID, a.ID))
		assert.Empty(t, profiles())
		assert.Empty(t, profiles("no-such-org"))
	})
}

// testNotFound checks that every read and update of a missing record wraps
// mlerr.ErrNotFound.
func testNotFound(t *testing.T, newStore func(*testing.T) multiline.Store) {
	f := newFixture(t, newStore)
	o := f.createOrg("")
	a := f.createAccount(o.ID)
	f.createMessage(o.ID)
	f.createNumbers(o.ID, 1)

	ghostAccount := f.newAccount(o.ID)
	ghostMsg := f.newMessage(o.ID)
	tests := []struct {
		name string
		fn   func(context.Context, multiline.Tx) error
	}{
		{"Org", func(ctx context.Context, tx multiline.Tx) error { _, err := tx.Org(ctx, "no-such-org"); return err }},
		{"UpdateOrg", func(ctx context.Context, tx multiline.Tx) error { return tx.UpdateOrg(ctx, f.newOrg("")) }},
		{"Admin", func(ctx context.Context, tx multiline.Tx) error { _, err := tx.Admin(ctx, "no-such-admin"); return err }},
		{"Number", func(ctx context.Context, tx multiline.Tx) error { _, err := tx.Number(ctx, "+14155559999"); return err }},
		{"UpdateNumber", func(ctx context.Context, tx multiline.Tx) error {
			return tx.UpdateNumber(ctx, numberpool.Number{E164: "+14155559999", OrgID: o.ID, State: numberpool.Available})
		}},
		{"PickNumber", func(ctx context.Context, tx multiline.Tx) error {
			_, err := tx.PickNumber(ctx, multiline.NumberQuery{Org: o.ID, State: numberpool.Registered})
			return err
		}},
		{"Account", func(ctx context.Context, tx multiline.Tx) error {
			_, err := tx.Account(ctx, ghostAccount.ID)
			return err
		}},
		{"UpdateAccount", func(ctx context.Context, tx multiline.Tx) error { return tx.UpdateAccount(ctx, ghostAccount) }},
		{"DeleteAccount", func(ctx context.Context, tx multiline.Tx) error { return tx.DeleteAccount(ctx, ghostAccount.ID) }},
		{"Invitation", func(ctx context.Context, tx multiline.Tx) error { _, err := tx.Invitation(ctx, a.ID); return err }},
		{"InvitationByToken", func(ctx context.Context, tx multiline.Tx) error {
			_, err := tx.InvitationByToken(ctx, invite.HashToken("no-such-token"))
			return err
		}},
		{"UpdateInvitation", func(ctx context.Context, tx multiline.Tx) error { return tx.UpdateInvitation(ctx, f.newInvitation(a)) }},
		{"Message", func(ctx context.Context, tx multiline.Tx) error { _, err := tx.Message(ctx, ghostMsg.ID); return err }},
		{"UpdateMessage", func(ctx context.Context, tx multiline.Tx) error { return tx.UpdateMessage(ctx, ghostMsg) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := f.with(t)
			require.ErrorIs(t, f.do(tt.fn), mlerr.ErrNotFound)
		})
	}
	t.Run("UpdatesCreateNothing", func(t *testing.T) {
		f := f.with(t)
		assert.ErrorIs(t, f.do(func(ctx context.Context, tx multiline.Tx) error {
			_, err := tx.Account(ctx, ghostAccount.ID)
			return err
		}), mlerr.ErrNotFound, "a failed UpdateAccount must not create the account")
		assert.ErrorIs(t, f.do(func(ctx context.Context, tx multiline.Tx) error {
			_, err := tx.Number(ctx, "+14155559999")
			return err
		}), mlerr.ErrNotFound, "a failed UpdateNumber must not create the number")
	})
}

// testCopies checks that a store shares no memory with its callers: changing
// a record after storing it, or a record read back, changes nothing stored.
func testCopies(t *testing.T, newStore func(*testing.T) multiline.Store) {
	t.Run("Org", func(t *testing.T) {
		f := newFixture(t, newStore)
		root := f.createOrg("")
		o := f.newOrg(root.ID)
		o.Settings.Applications = org.Set([]org.Application{org.AppMobile, org.AppDesktop})
		o.Settings.EmailDomains = org.Set([]string{"example.com"})
		o.Settings.AlertRecipients = org.Set([]string{"ops@example.com"})
		o.Settings.InvitationTemplates = org.Set([]org.TemplateText{{Language: "en", Part: "text", Source: "Hi"}})
		want := f.newOrg(root.ID) // a deep copy of o, made by hand
		want.ID, want.Name, want.Created = o.ID, o.Name, o.Created
		want.Settings.Applications = org.Set([]org.Application{org.AppMobile, org.AppDesktop})
		want.Settings.EmailDomains = org.Set([]string{"example.com"})
		want.Settings.AlertRecipients = org.Set([]string{"ops@example.com"})
		want.Settings.InvitationTemplates = org.Set([]org.TemplateText{{Language: "en", Part: "text", Source: "Hi"}})
		require.Equal(t, want, o)

		f.must(func(ctx context.Context, tx multiline.Tx) error { return tx.CreateOrg(ctx, o) })
		scribbleOrg(&o)
		read := func() org.Org {
			return get(f, func(ctx context.Context, tx multiline.Tx) (org.Org, error) { return tx.Org(ctx, want.ID) })
		}
		got := read()
		require.Equal(t, want, got, "changing the org passed to CreateOrg changed the store")
		scribbleOrg(&got)
		require.Equal(t, want, read(), "changing the org returned by Org changed the store")
		kids := get(f, func(ctx context.Context, tx multiline.Tx) ([]org.Org, error) { return tx.Children(ctx, root.ID) })
		require.Len(t, kids, 1)
		scribbleOrg(&kids[0])
		require.Equal(t, want, read(), "changing the org returned by Children changed the store")

		upd := read()
		f.must(func(ctx context.Context, tx multiline.Tx) error { return tx.UpdateOrg(ctx, upd) })
		scribbleOrg(&upd)
		require.Equal(t, want, read(), "changing the org passed to UpdateOrg changed the store")
	})

	t.Run("Admin", func(t *testing.T) {
		f := newFixture(t, newStore)
		a := f.newAdmin()
		want := f.newAdmin()
		want.ID, want.Name, want.Email, want.Created = a.ID, a.Name, a.Email, a.Created
		require.Equal(t, want, a)
		f.must(func(ctx context.Context, tx multiline.Tx) error { return tx.CreateAdmin(ctx, a) })
		scribble := func(a *permissions.Admin) {
			a.Roles[0].Privileges[0] = permissions.Setup
			a.Roles[0].Orgs[0] = "scribbled"
		}
		scribble(&a)
		read := func() permissions.Admin {
			return get(f, func(ctx context.Context, tx multiline.Tx) (permissions.Admin, error) { return tx.Admin(ctx, want.ID) })
		}
		got := read()
		require.Equal(t, want, got, "changing the admin passed to CreateAdmin changed the store")
		scribble(&got)
		require.Equal(t, want, read(), "changing the admin returned by Admin changed the store")
	})

	t.Run("Account", func(t *testing.T) {
		f := newFixture(t, newStore)
		o := f.createOrg("")
		a := f.newAccount(o.ID)
		want := a
		want.Applications = []org.Application{org.AppMobile, org.AppDesktop}
		want.Features = []org.Feature{org.FeatureCallRecording}
		require.Equal(t, want, a)
		scribble := func(a *account.Account) {
			a.Applications[0] = "scribbled"
			a.Features[0] = "scribbled"
		}
		read := func() account.Account {
			return get(f, func(ctx context.Context, tx multiline.Tx) (account.Account, error) { return tx.Account(ctx, want.ID) })
		}

		f.must(func(ctx context.Context, tx multiline.Tx) error { return tx.CreateAccount(ctx, a) })
		scribble(&a)
		got := read()
		require.Equal(t, want, got, "changing the account passed to CreateAccount changed the store")
		scribble(&got)
		require.Equal(t, want, read(), "changing the account returned by Account changed the store")
		list := listAll(f, accountsOf(o.ID))
		require.Len(t, list, 1)
		scribble(&list[0])
		require.Equal(t, want, read(), "changing the account returned by ListAccounts changed the store")

		upd := read()
		f.must(func(ctx context.Context, tx multiline.Tx) error { return tx.UpdateAccount(ctx, upd) })
		scribble(&upd)
		require.Equal(t, want, read(), "changing the account passed to UpdateAccount changed the store")
	})

	t.Run("Invitation", func(t *testing.T) {
		f := newFixture(t, newStore)
		a := f.createAccount(f.createOrg("").ID)
		inv := f.newInvitation(a)
		want := inv
		want.TokenHash = slices.Clone(inv.TokenHash)
		want.Retired = [][]byte{slices.Clone(inv.Retired[0]), slices.Clone(inv.Retired[1])}
		want.Consent = &invite.Consent{AdminID: inv.Consent.AdminID, At: inv.Consent.At, Disclaimer: inv.Consent.Disclaimer}
		require.Equal(t, want, inv)
		scribble := func(inv *invite.Invitation) {
			inv.TokenHash[0]++
			inv.Retired[0][0]++
			inv.Retired[1] = nil
			inv.Consent.AdminID = "scribbled"
		}
		read := func() invite.Invitation {
			return get(f, func(ctx context.Context, tx multiline.Tx) (invite.Invitation, error) { return tx.Invitation(ctx, a.ID) })
		}

		f.must(func(ctx context.Context, tx multiline.Tx) error { return tx.CreateInvitation(ctx, inv) })
		scribble(&inv)
		got := read()
		require.Equal(t, want, got, "changing the invitation passed to CreateInvitation changed the store")
		scribble(&got)
		require.Equal(t, want, read(), "changing the invitation returned by Invitation changed the store")
		byToken := get(f, func(ctx context.Context, tx multiline.Tx) (invite.Invitation, error) {
			return tx.InvitationByToken(ctx, want.TokenHash)
		})
		scribble(&byToken)
		require.Equal(t, want, read(), "changing the invitation returned by InvitationByToken changed the store")

		upd := read()
		f.must(func(ctx context.Context, tx multiline.Tx) error { return tx.UpdateInvitation(ctx, upd) })
		scribble(&upd)
		require.Equal(t, want, read(), "changing the invitation passed to UpdateInvitation changed the store")
	})

	t.Run("AuditEvent", func(t *testing.T) {
		f := newFixture(t, newStore)
		o := f.createOrg("")
		e := f.newEvent(o.ID, "account.created", "acc-1")
		want := e
		want.Before = json.RawMessage(`{"status":"Not Invited","n":1}`)
		want.After = json.RawMessage(`{"status":"Invited","n":2}`)
		require.Equal(t, want, e)
		scribble := func(e *multiline.AuditEvent) {
			copy(e.Before, `[1]`)
			copy(e.After, `[2]`)
		}

		// The caller writes over the event's bytes as soon as AppendAudit
		// returns, before the transaction commits (Tx keeps nothing of its
		// arguments): a store that keeps them until commit stores the
		// scribbles.
		f.must(func(ctx context.Context, tx multiline.Tx) error {
			if err := tx.AppendAudit(ctx, e); err != nil {
				return err
			}
			scribble(&e)
			return nil
		})
		got := listAll(f, auditOf(o.ID))
		require.Equal(t, canonEvents(t, []multiline.AuditEvent{want}), canonEvents(t, got), "changing the event passed to AppendAudit changed the store")
		scribble(&got[0])
		require.Equal(t, canonEvents(t, []multiline.AuditEvent{want}), canonEvents(t, listAll(f, auditOf(o.ID))),
			"changing the event returned by ListAudit changed the store")
	})
}

// scribbleOrg overwrites every slice element an organization's settings
// hold, in place.
func scribbleOrg(o *org.Org) {
	s := &o.Settings
	s.Features.Value[0] = "scribbled"
	s.Applications.Value[0] = "scribbled"
	s.EmailDomains.Value[0] = "scribbled"
	s.AlertRecipients.Value[0] = "scribbled"
	s.InvitationTemplates.Value[0].Source = "scribbled"
}

// testTxAfterReturn checks that a transaction refuses to be used once its
// function has returned, whether it committed or not, and that such a late
// write is not kept.
func testTxAfterReturn(t *testing.T, newStore func(*testing.T) multiline.Store) {
	for _, tt := range []struct {
		name string
		ret  error
	}{
		{"AfterCommit", nil},
		{"AfterRollback", errRollback},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, newStore)
			o := f.createOrg("")
			var leaked multiline.Tx
			err := f.do(func(ctx context.Context, tx multiline.Tx) error {
				leaked = tx
				return tt.ret
			})
			require.ErrorIs(t, err, tt.ret)
			require.NotNil(t, leaked)

			ctx := t.Context()
			_, err = leaked.Org(ctx, o.ID)
			assert.Error(t, err, "a read through an ended transaction must fail")
			late := f.newOrg("")
			assert.Error(t, leaked.CreateOrg(ctx, late), "a write through an ended transaction must fail")
			assert.Error(t, leaked.UpdateOrg(ctx, org.Org{ID: o.ID, Name: "late"}), "a write through an ended transaction must fail")

			_, err = try(f, func(ctx context.Context, tx multiline.Tx) (org.Org, error) { return tx.Org(ctx, late.ID) })
			assert.ErrorIs(t, err, mlerr.ErrNotFound, "a write through an ended transaction was kept")
			assert.Equal(t, o, get(f, func(ctx context.Context, tx multiline.Tx) (org.Org, error) { return tx.Org(ctx, o.ID) }))
		})
	}
}
