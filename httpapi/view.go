package httpapi

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/batch"
	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/numberpool"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/permissions"
)

// The JSON forms of the API (snake_case, times RFC 3339 in UTC). They are
// the schemas of openapi.json.

// listJSON is one page of a list.
type listJSON[T any] struct {
	Items []T    `json:"items"`
	Next  string `json:"next_cursor"`
}

func listOf[S, T any](l multiline.List[S], f func(S) T) listJSON[T] {
	out := listJSON[T]{Items: make([]T, len(l.Items)), Next: l.Next}
	for i, v := range l.Items {
		out.Items[i] = f(v)
	}
	return out
}

// accountJSON is an account.
type accountJSON struct {
	ID                     string          `json:"id"`
	Org                    string          `json:"org"`
	Username               string          `json:"username"`
	Status                 string          `json:"status"`
	Number                 string          `json:"number"`
	FirstName              string          `json:"first_name"`
	LastName               string          `json:"last_name"`
	AccountID              string          `json:"account_id"`
	Applications           []string        `json:"applications"`
	Email                  string          `json:"email"`
	Device                 string          `json:"device"`
	Profile                string          `json:"profile"`
	Forwarding             string          `json:"forwarding_number"`
	Features               []string        `json:"features"`
	Language               string          `json:"language"`
	SocialMessaging        bool            `json:"social_messaging"`
	RestrictIncomingSocial bool            `json:"restrict_incoming_social_messaging"`
	RecordCalls            bool            `json:"record_calls"`
	RecordSMS              bool            `json:"record_sms"`
	Batch                  string          `json:"batch"`
	Created                string          `json:"created"`
	Updated                string          `json:"updated"`
	Invitation             *invitationJSON `json:"invitation,omitempty"`
}

// invitationJSON is an invitation and its message's delivery; never its
// token nor a hash of it.
type invitationJSON struct {
	ID          string       `json:"id"`
	Channel     string       `json:"channel"`
	Destination string       `json:"destination"`
	State       string       `json:"state"`
	ExpiresAt   string       `json:"expires_at"`
	Delivery    deliveryJSON `json:"delivery"`
}

type deliveryJSON struct {
	State       string `json:"state"`
	Attempts    int    `json:"attempts"`
	LastError   string `json:"last_error"`
	NextAttempt string `json:"next_attempt"`
	SentAt      string `json:"sent_at"`
}

// statusName is an account status as the API writes it: "Not Invited"
// becomes not_invited.
func statusName(s account.Status) string {
	return strings.ReplaceAll(strings.ToLower(string(s)), " ", "_")
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func accountView(a account.Account) accountJSON {
	v := accountJSON{ID: string(a.ID), Org: string(a.OrgID), Username: a.Username, Status: statusName(a.Status),
		Number: a.Number, FirstName: a.FirstName, LastName: a.LastName, AccountID: a.AccountID,
		Applications: make([]string, len(a.Applications)), Email: a.Email, Device: a.Device,
		Profile: string(a.ProfileID), Forwarding: a.Forwarding, Features: make([]string, len(a.Features)),
		Language: a.Language, SocialMessaging: a.SocialMessaging, RestrictIncomingSocial: a.RestrictIncomingSocial,
		RecordCalls: a.RecordCalls, RecordSMS: a.RecordSMS, Batch: a.BatchID,
		Created: stamp(a.Created), Updated: stamp(a.Updated)}
	for i, app := range a.Applications {
		v.Applications[i] = string(app)
	}
	for i, f := range a.Features {
		v.Features[i] = string(f)
	}
	return v
}

func invitationView(inv invite.Invitation, d multiline.Delivery) *invitationJSON {
	return &invitationJSON{ID: string(inv.ID), Channel: string(inv.Channel), Destination: inv.Destination,
		State: strings.ToLower(string(inv.State)), ExpiresAt: stamp(inv.ExpiresAt),
		Delivery: deliveryJSON{State: strings.ToLower(string(d.State)), Attempts: d.Attempts, LastError: d.LastError,
			NextAttempt: d.NextAttempt, SentAt: d.SentAt}}
}

func invitedView(in multiline.Invited) accountJSON {
	v := accountView(in.Account)
	v.Invitation = invitationView(in.Invitation, in.Delivery)
	return v
}

// accountInput is the Single Account form.
type accountInput struct {
	FirstName              string   `json:"first_name"`
	LastName               string   `json:"last_name"`
	AccountID              string   `json:"account_id"`
	Applications           []string `json:"applications"`
	Email                  string   `json:"email"`
	Device                 string   `json:"device"`
	AssignNumber           string   `json:"assign_number"`
	Profile                string   `json:"profile"`
	Forwarding             string   `json:"forwarding_number"`
	Features               []string `json:"features"`
	Language               string   `json:"language"`
	SocialMessaging        bool     `json:"social_messaging"`
	RestrictIncomingSocial bool     `json:"restrict_incoming_social_messaging"`
	RecordCalls            bool     `json:"record_calls"`
	RecordSMS              bool     `json:"record_sms"`
	Invite                 bool     `json:"invite"`
	SMSConsent             bool     `json:"sms_consent"`
	Disclaimer             string   `json:"disclaimer"`
}

func (in accountInput) input() account.Input {
	out := account.Input{FirstName: in.FirstName, LastName: in.LastName, AccountID: in.AccountID,
		Email: in.Email, Device: in.Device, AssignNumber: in.AssignNumber, Profile: permissions.ProfileID(in.Profile),
		Forwarding: in.Forwarding, Language: in.Language, SocialMessaging: in.SocialMessaging,
		RestrictIncomingSocial: in.RestrictIncomingSocial, RecordCalls: in.RecordCalls, RecordSMS: in.RecordSMS}
	for _, a := range in.Applications {
		out.Applications = append(out.Applications, org.Application(a))
	}
	for _, f := range in.Features {
		out.Features = append(out.Features, org.Feature(f))
	}
	return out
}

// batchJSON is a batch record.
type batchJSON struct {
	ID       string          `json:"id"`
	Org      string          `json:"org"`
	Mode     string          `json:"mode"`
	Profile  string          `json:"profile"`
	Key      string          `json:"idempotency_key"`
	Status   string          `json:"status"`
	Done     int             `json:"rows_done"`
	Total    int             `json:"rows_total"`
	Summary  summaryJSON     `json:"summary"`
	Created  string          `json:"created"`
	Finished string          `json:"finished"`
	Rows     []reportRowJSON `json:"rows,omitempty"`
}

type summaryJSON struct {
	Total    int `json:"total"`
	Imported int `json:"imported"`
	Invited  int `json:"invited"`
	Valid    int `json:"valid"`
	Failed   int `json:"failed"`
}

type reportRowJSON struct {
	Row             int    `json:"row"`
	EmailOrDevice   string `json:"email_or_device"`
	FirstName       string `json:"first_name"`
	LastName        string `json:"last_name"`
	MultilineNumber string `json:"multiline_number"`
	Status          string `json:"status"`
	Error           string `json:"error"`
	ErrorCode       string `json:"error_code"`
}

// modeNames are the API's names of the batch modes.
var modeNames = map[batch.Mode]string{batch.Import: "import", batch.ImportInvite: "invite", batch.ValidateOnly: "validate"}

func batchView(b batch.Record) batchJSON {
	s := b.Summary
	return batchJSON{ID: b.ID, Org: string(b.OrgID), Mode: modeNames[b.Mode], Profile: string(b.Profile), Key: b.Key,
		Status: string(b.State), Done: b.Done, Total: b.Total,
		Summary: summaryJSON{Total: s.Total, Imported: s.Imported, Invited: s.Invited, Valid: s.Valid, Failed: s.Failed},
		Created: stamp(b.Created), Finished: stamp(b.Finished)}
}

// validatedView is a validate-only answer: the record with its rows, since
// it is not kept for a report download.
func validatedView(b batch.Record) batchJSON {
	v := batchView(b)
	v.Rows = make([]reportRowJSON, len(b.Rows))
	for i, r := range b.Rows {
		v.Rows[i] = reportRowJSON{Row: r.Row, EmailOrDevice: r.EmailOrDevice, FirstName: r.FirstName, LastName: r.LastName,
			MultilineNumber: r.MultilineNumber, Status: string(r.Status), Error: r.Error, ErrorCode: r.ErrorCode}
	}
	return v
}

type numberJSON struct {
	Number  string `json:"number"`
	State   string `json:"state"`
	Tag     string `json:"tag"`
	Account string `json:"account"`
}

func numberView(n numberpool.Number) numberJSON {
	return numberJSON{Number: n.E164, State: string(n.State), Tag: n.Tag, Account: n.AccountID}
}

type auditJSON struct {
	ID      string          `json:"id"`
	At      string          `json:"at"`
	Actor   string          `json:"actor"`
	Org     string          `json:"org"`
	Action  string          `json:"action"`
	Subject string          `json:"subject"`
	Before  json.RawMessage `json:"before,omitempty"`
	After   json.RawMessage `json:"after,omitempty"`
}

func auditView(e multiline.AuditEvent) auditJSON {
	return auditJSON{ID: e.ID, At: stamp(e.At), Actor: string(e.Actor), Org: string(e.OrgID), Action: e.Action,
		Subject: e.Subject, Before: e.Before, After: e.After}
}

type moveJSON struct {
	To       string      `json:"to"`
	Accounts []movedJSON `json:"accounts"`
}

type movedJSON struct {
	ID      string       `json:"id"`
	From    string       `json:"from"`
	Number  string       `json:"number"`
	Changes []changeJSON `json:"changes"`
}

type changeJSON struct {
	Field string `json:"field"`
	From  string `json:"from"`
	To    string `json:"to"`
}

func moveView(p multiline.MovePlan) moveJSON {
	out := moveJSON{To: string(p.To), Accounts: make([]movedJSON, len(p.Accounts))}
	for i, a := range p.Accounts {
		m := movedJSON{ID: string(a.Account), From: string(a.From), Number: a.Number, Changes: make([]changeJSON, len(a.Changes))}
		for j, c := range a.Changes {
			m.Changes[j] = changeJSON{Field: c.Field, From: c.From, To: c.To}
		}
		out.Accounts[i] = m
	}
	return out
}
