package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/batch"
	"github.com/multilinehq/multiline/batch/batchtest"
	"github.com/multilinehq/multiline/httpapi"
	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/permissions"
	"github.com/multilinehq/multiline/store/memory"
)

// discard is a notifier that keeps nothing, so that the benchmarks measure
// the import and not a recorder's growth.
type discard struct{}

func (discard) Send(context.Context, invite.Message) error { return nil }

// benchAPI is a service with one tenant behind a loopback server.
type benchAPI struct {
	svc   *multiline.Service
	admin permissions.AdminID
	root  org.ID
	srv   *httptest.Server
	h     *httpapi.Handler
	next  int
}

func newBenchAPI(b *testing.B) *benchAPI {
	b.Helper()
	ctx := context.Background()
	svc, err := multiline.New(memory.New(), multiline.WithNotifier(discard{}), multiline.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		b.Fatal(err)
	}
	t, err := svc.CreateTenant(ctx, multiline.TenantInput{OrgName: "Bench", AdminName: "B", AdminEmail: "b@bench.example"})
	if err != nil {
		b.Fatal(err)
	}
	h, err := httpapi.New(svc, func(*http.Request) (permissions.AdminID, error) { return t.Admin.ID, nil },
		httpapi.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(h)
	return &benchAPI{svc: svc, admin: t.Admin.ID, root: t.Org.ID, srv: srv, h: h}
}

// close stops the server and the handler.
func (a *benchAPI) close() {
	a.srv.Close()
	_ = a.h.Close()
}

// freshOrg is a new sub-organization with n Available numbers, for one
// Import & Invite of n rows.
func (a *benchAPI) freshOrg(b *testing.B, n int) org.ID {
	b.Helper()
	ctx := context.Background()
	a.next++
	o, err := a.svc.CreateOrg(ctx, a.admin, a.root, multiline.OrgInput{Name: fmt.Sprintf("Org %d", a.next)})
	if err != nil {
		b.Fatal(err)
	}
	in := make([]multiline.NumberInput, n)
	ns := make([]string, n)
	for i := range in {
		ns[i] = fmt.Sprintf("+1%03d555%04d", 200+a.next%700, i)
		in[i] = multiline.NumberInput{Number: ns[i]}
	}
	if n == 0 {
		return o.ID
	}
	if _, err := a.svc.AddNumbers(ctx, a.admin, a.root, in); err != nil {
		b.Fatal(err)
	}
	if err := a.svc.AllocateNumbers(ctx, a.admin, a.root, o.ID, ns); err != nil {
		b.Fatal(err)
	}
	return o.ID
}

// cpuClock sums the process's CPU time (user + system) over the timed
// parts of a benchmark. On a machine shared with other work, wall time
// rewards whichever variant runs more threads; CPU time does not.
type cpuClock struct {
	start, total time.Duration
}

func cpuNow() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func (c *cpuClock) Start() { c.start = cpuNow() }
func (c *cpuClock) Stop()  { c.total += cpuNow() - c.start }

// report adds the CPU time per op to b's figures.
func (c *cpuClock) report(b *testing.B, n int) {
	b.ReportMetric(float64(c.total.Nanoseconds())/float64(n), "cpu-ns/op")
}

// pollEvery is how often the benchmark polls a running batch: a portal's
// progress bar polls a few times a second; each poll reads the record
// with the report lines done so far.
const pollEvery = 20 * time.Millisecond

// BenchmarkImportInvite1000 uploads a 1000-row Import & Invite over HTTP
// (loopback) and calls ImportBatch directly, in one run, on the same bytes
// and set-up as the root package's BenchmarkImportInvite1000 (a fresh
// service for each upload): the ratio of the two is the HTTP layer's
// overhead. The HTTP figure includes the client's side (same process).
func BenchmarkImportInvite1000(b *testing.B) {
	const rows = 1000
	data := batchtest.GenerateCSV(rows)
	pool := append(batchtest.ExplicitNumbers(rows), batchtest.PoolNumbers(rows)...)
	for _, via := range []string{"direct", "http"} {
		b.Run(via, func(b *testing.B) {
			b.ReportAllocs()
			var cpu cpuClock
			for range b.N {
				b.StopTimer()
				a := newBenchAPI(b)
				in := make([]multiline.NumberInput, len(pool))
				for i, n := range pool {
					in[i] = multiline.NumberInput{Number: n}
				}
				if _, err := a.svc.AddNumbers(context.Background(), a.admin, a.root, in); err != nil {
					b.Fatal(err)
				}
				runtime.GC()
				b.StartTimer()
				cpu.Start()
				if via == "direct" {
					rec, err := a.svc.ImportBatch(context.Background(), a.admin, a.root, bytes.NewReader(data),
						multiline.BatchOptions{Mode: batch.ImportInvite, SMSConsent: true})
					if err != nil || rec.Summary.Invited != rows {
						b.Fatal(rec.Summary, err)
					}
					cpu.Stop()
					b.StopTimer()
					a.close()
					b.StartTimer()
					continue
				}
				res, err := http.Post(a.srv.URL+"/orgs/"+string(a.root)+"/batches?mode=invite&sms_consent=true", "text/csv", bytes.NewReader(data))
				if err != nil {
					b.Fatal(err)
				}
				body, _ := io.ReadAll(res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusAccepted {
					b.Fatalf("%d %s", res.StatusCode, body)
				}
				// The answer comes once the batch is stored Running: poll
				// it, as a client does, until it is no longer running.
				var rec struct {
					ID      string `json:"id"`
					Status  string `json:"status"`
					Summary struct {
						Invited int `json:"invited"`
					} `json:"summary"`
				}
				for {
					if err := json.Unmarshal(body, &rec); err != nil {
						b.Fatal(err)
					}
					if rec.Status != "running" {
						break
					}
					time.Sleep(pollEvery)
					res, err = http.Get(a.srv.URL + "/batches/" + rec.ID)
					if err != nil {
						b.Fatal(err)
					}
					body, _ = io.ReadAll(res.Body)
					res.Body.Close()
				}
				if rec.Status != "finished" || rec.Summary.Invited != rows {
					b.Fatalf("%s", body)
				}
				cpu.Stop()
				b.StopTimer()
				a.close()
				b.StartTimer()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/rows, "ns/row")
			cpu.report(b, b.N)
		})
	}
}

// BenchmarkListAccounts50 reads a page of 50 accounts over HTTP (the body
// read whole, not decoded) and by the direct call, in one run.
func BenchmarkListAccounts50(b *testing.B) {
	a := newBenchAPI(b)
	b.Cleanup(a.close)
	ctx := context.Background()
	o := a.freshOrg(b, 0)
	for i := range 50 {
		in := form(fmt.Sprintf("l%d", i))
		if _, err := a.svc.Save(ctx, a.admin, o, accountInputOf(in)); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("direct", func(b *testing.B) {
		b.ReportAllocs()
		var cpu cpuClock
		cpu.Start()
		for b.Loop() {
			l, err := a.svc.ListAccounts(ctx, a.admin, o, multiline.Page{Limit: 50})
			if err != nil || len(l.Items) != 50 {
				b.Fatal(err, len(l.Items))
			}
		}
		cpu.Stop()
		cpu.report(b, b.N)
	})
	b.Run("http", func(b *testing.B) {
		b.ReportAllocs()
		url := a.srv.URL + "/orgs/" + string(o) + "/accounts?limit=50"
		var cpu cpuClock
		cpu.Start()
		for b.Loop() {
			res, err := http.Get(url)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusOK {
				b.Fatal(res.Status)
			}
		}
		cpu.Stop()
		cpu.report(b, b.N)
	})
}
