package main

// The reference Accounts screen (SPEC §11): server-rendered pages
// (html/template) and one small plain JavaScript file that calls the API at
// /api/v1/. Everything the browser loads comes from this server, embedded
// in the binary; the Content-Security-Policy header forbids anything else.
//
// Sign-in and CSRF. The demo has one administrator, so opening any page
// signs the browser in: the page sets a session cookie (HttpOnly,
// SameSite=Strict, Path=/) holding a random secret of the process, which the
// API's authentication accepts beside the bearer token. A carrier replaces
// that with its own sign-in. Because a cookie is sent by the browser on its
// own, a state-changing call authenticated by the cookie (any method but GET,
// HEAD) must also carry the header X-MultiLine-Portal: 1 and, when the browser
// names an Origin, come from this server's own origin. Another site cannot
// set a custom header on a cross-site request without a CORS preflight that
// this server never grants, and SameSite=Strict keeps the cookie off
// cross-site requests anyway: two independent guards. GET routes change
// nothing, so a plain link (a report download) works with the cookie alone.

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"embed"
	"encoding/hex"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/multilinehq/multiline/batch"
	"github.com/multilinehq/multiline/httpapi"
	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/notify"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/permissions"
)

//go:embed templates/*.html static/*
var assets embed.FS

// sessionCookie is the name of the demo's sign-in cookie.
const sessionCookie = "multiline_portal"

// csrfHeader is the header every cookie-authenticated state-changing call
// carries (the page's JavaScript sets it).
const csrfHeader = "X-MultiLine-Portal"

// contentSecurityPolicy allows nothing but this server's own scripts,
// styles and API: no inline script, no other site, no framing.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// screen serves the pages of the Accounts screen and the activation page.
type screen struct {
	admin   permissions.AdminID
	orgs    []orgView
	secret  string
	pages   *template.Template
	static  http.Handler
	inbox   *inbox
	consent string
}

// orgView is an organization as the page's selects and forms need it: its
// effective applications and features, so the form offers only those.
type orgView struct {
	ID              string   `json:"id"`
	Name            string   `json:"name"`
	Depth           int      `json:"depth"`
	Applications    []string `json:"applications"`
	Features        []string `json:"features"`
	SocialMessaging bool     `json:"social_messaging"`
}

// newScreen returns the screen for the demo tenant; messages is the demo's
// inbox, shown on the Demo inbox page.
func newScreen(d demo, messages *inbox) (*screen, error) {
	pages, err := template.New("").Funcs(template.FuncMap{
		"indent": func(n int) string {
			s := ""
			for range n {
				s += "\u00a0\u00a0"
			}
			return s
		},
	}).ParseFS(assets, "templates/*.html")
	if err != nil {
		return nil, err
	}
	static, err := fs.Sub(assets, "static")
	if err != nil {
		return nil, err
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	s := &screen{admin: d.admin, secret: hex.EncodeToString(b), pages: pages, inbox: messages,
		static: http.StripPrefix("/static/", http.FileServerFS(static)), consent: invite.DefaultDisclaimer}
	byID := map[org.ID]org.Org{}
	for _, o := range d.orgs {
		byID[o.ID] = o
	}
	for _, o := range d.orgs {
		var lineage []org.Org
		for p, ok := o, true; ok; p, ok = byID[p.ParentID] {
			lineage = append(lineage, p)
		}
		e := org.Resolve(lineage)
		v := orgView{ID: string(o.ID), Name: o.Name, Depth: len(lineage) - 1, SocialMessaging: e.SocialMessaging}
		for _, a := range e.Applications {
			v.Applications = append(v.Applications, string(a))
		}
		for _, f := range e.Features {
			v.Features = append(v.Features, string(f))
		}
		s.orgs = append(s.orgs, v)
	}
	return s, nil
}

// mount registers the screen's routes on mux.
func (s *screen) mount(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", s.page("accounts.html"))
	mux.HandleFunc("GET /add", s.page("add.html"))
	mux.HandleFunc("GET /reports", s.page("reports.html"))
	mux.HandleFunc("GET /inbox", s.page("inbox.html"))
	mux.HandleFunc("GET /activate/{token}", s.activation)
	mux.HandleFunc("GET /template.csv", s.template)
	mux.Handle("GET /static/", s.headers(s.static))
}

// authenticate is the API's authentication: a request with an
// Authorization header is the bearer's to judge; otherwise the session
// cookie signs in the demo administrator, with the CSRF guards above.
func (s *screen) authenticate(bearer httpapi.Authenticate) httpapi.Authenticate {
	return func(r *http.Request) (permissions.AdminID, error) {
		if r.Header.Get("Authorization") != "" {
			return bearer(r)
		}
		c, err := r.Cookie(sessionCookie)
		if err != nil || subtle.ConstantTimeCompare([]byte(c.Value), []byte(s.secret)) != 1 {
			return "", errors.New("portal: not signed in")
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if r.Header.Get(csrfHeader) != "1" {
				return "", errors.New("portal: a state-changing call without the portal's header")
			}
			if o := r.Header.Get("Origin"); o != "" && o != "http://"+r.Host && o != "https://"+r.Host {
				return "", errors.New("portal: a state-changing call from another origin")
			}
		}
		return s.admin, nil
	}
}

// headers sets what every page and asset answer carries.
func (s *screen) headers(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		next.ServeHTTP(w, r)
	})
}

// signIn sets the session cookie unless the browser already has it.
func (s *screen) signIn(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil && subtle.ConstantTimeCompare([]byte(c.Value), []byte(s.secret)) == 1 {
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: s.secret, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
}

// pageData is what every page template gets.
type pageData struct {
	Page     string
	Orgs     []orgView
	Consent  string
	Messages []inboxMessage
}

// page serves one of the admin pages, signing the demo administrator in.
func (s *screen) page(name string) http.HandlerFunc {
	return s.headers(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.signIn(w, r)
		d := pageData{Page: name, Orgs: s.orgs, Consent: s.consent}
		if name == "inbox.html" {
			d.Messages = s.inbox.messages()
		}
		s.render(w, name, d)
	})).ServeHTTP
}

// activation serves the end user's page at the invitation link. It signs
// nobody in: the token in the path is the end user's only credential, and
// the page's script reads it from the address to call the activation API.
func (s *screen) activation(w http.ResponseWriter, r *http.Request) {
	s.headers(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		s.render(w, "activate.html", pageData{Page: "activate.html"})
	})).ServeHTTP(w, r)
}

func (s *screen) render(w http.ResponseWriter, name string, d pageData) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := s.pages.ExecuteTemplate(w, name, d); err != nil {
		slog.Error("portal: page", "page", name, "err", err)
	}
}

// template serves the batch CSV template. (The API's GET
// /orgs/{org}/batch-template replaces it once that route exists.)
func (s *screen) template(w http.ResponseWriter, r *http.Request) {
	if _, err := s.authenticate(func(*http.Request) (permissions.AdminID, error) {
		return "", errors.New("portal: sign in on the page")
	})(r); err != nil {
		http.Error(w, "Sign in first.", http.StatusUnauthorized)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="multiline-template.csv"`)
	_ = batch.WriteTemplate(w)
}

// inbox is the demo's notifier: it passes each message on (to the log) and
// keeps the last ones, so that a person trying the demo, who has no mail
// server, can open the activation link an invitation carries. A real portal
// has no such page: the link goes to the end user only.
type inbox struct {
	next notify.Notifier
	base string
	mu   sync.Mutex
	msgs []inboxMessage
}

// inboxMessage is one message as the Demo inbox page shows it.
type inboxMessage struct {
	At                  time.Time
	Channel, To, Kind   string
	Subject, Text, Link string
}

// inboxSize is how many messages the inbox keeps.
const inboxSize = 200

func newInbox(next notify.Notifier, activationBase string) *inbox {
	return &inbox{next: next, base: activationBase}
}

// Send records m and passes it on.
func (b *inbox) Send(ctx context.Context, m invite.Message) error {
	if err := b.next.Send(ctx, m); err != nil {
		return err
	}
	v := inboxMessage{At: time.Now().UTC(), Channel: string(m.Channel), To: m.To, Kind: string(m.Kind),
		Subject: m.Subject, Text: m.Text}
	if m.Secret != "" {
		v.Link = b.base + m.Secret
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.msgs = append(b.msgs, v)
	if len(b.msgs) > inboxSize {
		b.msgs = slices.Delete(b.msgs, 0, len(b.msgs)-inboxSize)
	}
	return nil
}

// messages returns the kept messages, the newest first.
func (b *inbox) messages() []inboxMessage {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := slices.Clone(b.msgs)
	slices.Reverse(out)
	return out
}
