// Command portal serves the MultiLine HTTP API (SPEC §10, §11) on the SDK's
// embedded defaults, for a carrier to try and copy.
//
// Usage:
//
//	portal [-addr 127.0.0.1:8080] [-admin-token T] [-social-messaging] [-pool FILE]
//
// From the repository root: go run ./examples/portal.
//
// It sets up, in memory, the demo tenant "Demo Carrier" with two
// sub-organizations, "Sales" (holding the demo number pool) and "Support"
// (no numbers), and one administrator with every privilege on the tree, and
// serves the API at /api/v1/ (its OpenAPI document at
// /api/v1/openapi.json). Nothing outlives the process.
//
// Standard output gets, first, the URL to open, then the API token and the
// organizations' IDs (the API has no organization list yet):
//
//	http://127.0.0.1:8080/
//	token: 3f0c…
//	org Demo Carrier 0190…
//	org Sales 0190…
//	org Support 0190…
//
// API clients authenticate with "Authorization: Bearer T". Messages (the
// invitations) are logged on standard error with their tokens shortened.
//
// Flags:
//
//	-addr HOST:PORT    where to listen (default 127.0.0.1:8080; port 0 picks one)
//	-admin-token T     the API token (default: a random one, printed)
//	-social-messaging  the demo tenant has social messaging enabled
//	-pool FILE         CSV "number,tag" loaded as Sales's numbers: untagged
//	                   ones Available, tagged ones Reserved under their tag
//	                   (default: 100 Available numbers, +1 415 555 0100 to
//	                   +1 415 555 0199)
//
// It stops on an interrupt (or SIGTERM): running imports are cancelled and
// the server drains. Exit status: 0 after such a stop, 1 when it cannot
// start (the address is taken, the pool cannot be loaded), 2 for wrong usage.
//
// The Accounts screen is at / (screen.go), signed in with a cookie.
package main

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/httpapi"
	"github.com/multilinehq/multiline/notify"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/permissions"
	"github.com/multilinehq/multiline/store/memory"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// config is the command line.
type config struct {
	addr, token, pool string
	social            bool
}

func parse(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("portal", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.addr, "addr", "127.0.0.1:8080", "where to listen")
	fs.StringVar(&c.token, "admin-token", "", "the API token (default: a random one, printed)")
	fs.BoolVar(&c.social, "social-messaging", false, "the demo tenant has social messaging enabled")
	fs.StringVar(&c.pool, "pool", "", `CSV "number,tag" loaded as Sales's numbers (default: 100 demo numbers)`)
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return c, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, err := parse(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "portal:", err)
		return 2
	}
	if cfg.token == "" {
		b := make([]byte, 16)
		_, _ = rand.Read(b)
		cfg.token = hex.EncodeToString(b)
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		fmt.Fprintln(stderr, "portal:", err)
		return 1
	}
	base := "http://" + ln.Addr().String() + "/"
	log := slog.New(slog.NewTextHandler(stderr, nil))
	messages := newInbox(notify.NewLogger(log), base+"activate/")
	svc, err := multiline.New(memory.New(), multiline.WithNotifier(messages), multiline.WithLogger(log),
		multiline.WithActivationURL(base+"activate/"))
	if err != nil {
		fmt.Fprintln(stderr, "portal:", err)
		return 1
	}
	demo, err := setUp(ctx, svc, cfg)
	if err != nil {
		ln.Close()
		fmt.Fprintln(stderr, "portal:", err)
		return 1
	}
	scr, err := newScreen(demo, messages)
	if err != nil {
		fmt.Fprintln(stderr, "portal:", err)
		return 1
	}
	api, err := httpapi.New(svc, scr.authenticate(bearer(cfg.token, demo.admin)), httpapi.WithLogger(log))
	if err != nil {
		fmt.Fprintln(stderr, "portal:", err)
		return 1
	}
	scimAPI, err := scimHandler(svc, demo, bearer(cfg.token, demo.admin), log, base)
	if err != nil {
		fmt.Fprintln(stderr, "portal:", err)
		return 1
	}
	mux := http.NewServeMux()
	mux.Handle("/api/v1/", http.StripPrefix("/api/v1", api))
	mux.Handle("/scim/v2/", scimAPI)
	scr.mount(mux)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}

	fmt.Fprintln(stdout, base)
	fmt.Fprintln(stdout, "token:", cfg.token)
	for _, o := range demo.orgs {
		fmt.Fprintln(stdout, "org", o.Name, o.ID)
	}

	delivery, stopDelivery := context.WithCancel(context.Background())
	defer stopDelivery()
	go func() { _ = svc.RunDelivery(delivery, 30*time.Second) }()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		fmt.Fprintln(stderr, "portal:", err)
		return 1
	case <-ctx.Done():
	}
	// Stop the imports first (their batches say so), then drain.
	_ = api.Close()
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		fmt.Fprintln(stderr, "portal:", err)
		return 1
	}
	return 0
}

// bearer is the demo's authentication: one token for the one administrator,
// compared in constant time.
func bearer(token string, admin permissions.AdminID) httpapi.Authenticate {
	want := []byte("Bearer " + token)
	return func(r *http.Request) (permissions.AdminID, error) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			return "", errors.New("portal: wrong or missing token")
		}
		return admin, nil
	}
}

// demo is what setUp made.
type demo struct {
	admin permissions.AdminID
	orgs  []org.Org
}

// setUp creates the demo tenant of SPEC §11.
func setUp(ctx context.Context, svc *multiline.Service, cfg config) (demo, error) {
	pool, err := loadPool(cfg.pool)
	if err != nil {
		return demo{}, fmt.Errorf("-pool %s: %w", cfg.pool, err)
	}
	var settings org.Settings
	if cfg.social {
		settings.SocialMessaging = org.Set(true)
	}
	t, err := svc.CreateTenant(ctx, multiline.TenantInput{OrgName: "Demo Carrier", Settings: settings,
		AdminName: "Demo Admin", AdminEmail: "admin@demo.example"})
	if err != nil {
		return demo{}, err
	}
	d := demo{admin: t.Admin.ID, orgs: []org.Org{t.Org}}
	for _, name := range []string{"Sales", "Support"} {
		o, err := svc.CreateOrg(ctx, d.admin, t.Org.ID, multiline.OrgInput{Name: name})
		if err != nil {
			return demo{}, err
		}
		d.orgs = append(d.orgs, o)
	}
	if len(pool) == 0 {
		return d, nil
	}
	if _, err := svc.AddNumbers(ctx, d.admin, t.Org.ID, pool); err != nil {
		return demo{}, fmt.Errorf("-pool %s: %w", cfg.pool, err)
	}
	numbers := make([]string, len(pool))
	for i, n := range pool {
		numbers[i] = n.Number
	}
	return d, svc.AllocateNumbers(ctx, d.admin, t.Org.ID, d.orgs[1].ID, numbers)
}

// loadPool reads a pool file (one "number,tag" a line, the tag optional, a
// "number,tag" header allowed), or makes the demo pool of SPEC §9.
func loadPool(path string) ([]multiline.NumberInput, error) {
	if path == "" {
		out := make([]multiline.NumberInput, 100)
		for i := range out {
			out[i] = multiline.NumberInput{Number: fmt.Sprintf("+1415555%04d", 100+i)}
		}
		return out, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(io.LimitReader(f, 16<<20))
	r.FieldsPerRecord = -1
	var out []multiline.NumberInput
	for line := 1; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		number := strings.TrimSpace(strings.TrimPrefix(rec[0], "\uFEFF"))
		if line == 1 && strings.EqualFold(number, "number") {
			continue
		}
		if number == "" {
			continue
		}
		n := multiline.NumberInput{Number: number}
		if len(rec) > 1 {
			n.Tag = strings.TrimSpace(rec[1])
		}
		out = append(out, n)
	}
}
