package httpapi_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/httpapi"
	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/org"
)

const header = "firstname,lastname,email address or device,social_messaging,multiline_number,monitor_calls,monitor_sms\n"

// csvRows is an upload of n rows, users prefix0..prefix(n-1).
func csvRows(prefix string, n int) string {
	var b strings.Builder
	b.WriteString(header)
	for i := range n {
		fmt.Fprintf(&b, "User,%s%d,%s%d@acme.example,No,,auto,on\n", prefix, i, prefix, i)
	}
	return b.String()
}

type batchOut struct {
	ID      string `json:"id"`
	Org     string `json:"org"`
	Mode    string `json:"mode"`
	Key     string `json:"idempotency_key"`
	Status  string `json:"status"`
	Done    int    `json:"rows_done"`
	Total   int    `json:"rows_total"`
	Summary struct {
		Total, Imported, Invited, Valid, Failed int
	} `json:"summary"`
	Rows []struct {
		Row       int    `json:"row"`
		Status    string `json:"status"`
		ErrorCode string `json:"error_code"`
	} `json:"rows"`
}

func (f *fixture) upload(t testing.TB, o org.ID, query, file string, hdr map[string]string) resp {
	t.Helper()
	return f.do(t, req{method: "POST", path: "/orgs/" + string(o) + "/batches" + query, as: f.root, body: file, ctype: "text/csv", header: hdr})
}

func TestBatchUploadPollReportUndo(t *testing.T) {
	f := newFixture(t, nil)
	f.numbers(t, f.sales.ID, "+14155550101", "+14155550102", "+14155550103")
	file := csvRows("u", 3) + "Bad,Row,not-an-address,No,,auto,on\n"

	key := map[string]string{"Idempotency-Key": "upload-1"}
	r := f.upload(t, f.sales.ID, "?mode=invite", file, key)
	require.Equal(t, http.StatusAccepted, r.status, "%s", r.body)
	var b batchOut
	r.decode(t, &b)
	require.NotEmpty(t, b.ID)
	assert.Equal(t, "../../batches/"+b.ID, r.header.Get("Location"))
	assert.Equal(t, "invite", b.Mode)
	assert.Equal(t, "upload-1", b.Key)
	assert.Equal(t, 4, b.Total)

	// The answer comes once the batch is stored running: poll it until it
	// is finished.
	eventually(t, func() bool {
		r = f.do(t, req{method: "GET", path: "/batches/" + b.ID, as: f.root})
		require.Equal(t, http.StatusOK, r.status)
		r.decode(t, &b)
		return b.Status == "finished"
	})
	assert.Equal(t, 3, b.Summary.Invited)
	assert.Equal(t, 1, b.Summary.Failed)
	assert.Equal(t, 4, b.Done)

	// A browser retry with the same key replays: the same batch, nothing new.
	r = f.upload(t, f.sales.ID, "?mode=invite", file, key)
	require.Equal(t, http.StatusAccepted, r.status, "%s", r.body)
	var again batchOut
	r.decode(t, &again)
	assert.Equal(t, b.ID, again.ID)
	var l listOut[batchOut]
	r = f.do(t, req{method: "GET", path: "/orgs/" + string(f.sales.ID) + "/batches", as: f.root})
	require.Equal(t, http.StatusOK, r.status)
	r.decode(t, &l)
	assert.Len(t, l.Items, 1, "a replay makes no second batch")

	r = f.do(t, req{method: "GET", path: "/batches/" + b.ID + "/report", as: f.root})
	require.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, "text/csv; charset=utf-8", r.header.Get("Content-Type"))
	assert.Equal(t, `attachment; filename=batch-report-`+b.ID+`.csv`, r.header.Get("Content-Disposition"))
	lines := strings.Split(strings.TrimSpace(string(r.body)), "\n")
	require.Len(t, lines, 5)
	assert.True(t, strings.HasPrefix(lines[0], "row,"), lines[0])
	assert.Contains(t, lines[4], "failed")

	r = f.do(t, req{method: "POST", path: "/batches/" + b.ID + "/undo", as: f.root})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	var u struct{ Deleted, Kept []string }
	r.decode(t, &u)
	assert.Len(t, u.Deleted, 3)
	assert.Empty(t, u.Kept)
	r = f.do(t, req{method: "POST", path: "/batches/" + b.ID + "/undo", as: f.root})
	p := r.problem(t)
	assert.Equal(t, http.StatusConflict, p.Status)
	assert.Equal(t, "batch.not_undoable", p.Code)
}

func TestBatchMultipartAndValidate(t *testing.T) {
	f := newFixture(t, nil)
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	part, err := mw.CreateFormFile("file", "accounts.csv")
	require.NoError(t, err)
	_, _ = part.Write([]byte(csvRows("v", 2) + "Bad,Row,not-an-address,No,,auto,on\n"))
	require.NoError(t, mw.Close())

	r := f.do(t, req{method: "POST", path: "/orgs/" + string(f.sales.ID) + "/batches?mode=validate", as: f.root,
		body: body.String(), ctype: mw.FormDataContentType()})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	var b batchOut
	r.decode(t, &b)
	assert.Empty(t, b.ID, "a validation is not kept")
	assert.Equal(t, "validate", b.Mode)
	require.Len(t, b.Rows, 3)
	assert.Equal(t, "valid", b.Rows[0].Status)
	assert.Equal(t, "failed", b.Rows[2].Status)
	assert.NotEmpty(t, b.Rows[2].ErrorCode)

	r = f.do(t, req{method: "GET", path: "/orgs/" + string(f.sales.ID) + "/accounts", as: f.root})
	var l listOut[accountOut]
	r.decode(t, &l)
	assert.Empty(t, l.Items, "validate-only changes nothing")
}

func TestBatchFileRejected(t *testing.T) {
	f := newFixture(t, nil, httpapi.WithUploadLimits(0, 5))
	for _, tc := range []struct {
		name, file, code string
	}{
		{"missing column", "firstname,lastname\nA,B\n", "missing_column"},
		{"note left in", csvRows("n", 1) + "Note: fill in one row per account below the header\n", "note_left_in"},
		{"too many rows", csvRows("m", 6), "too_many_rows"},
		{"not CSV", "\x7fELF\x02\x01\x01\x00\x00binary", "not_csv"},
		// A workbook (a zip) is told apart; this service reads none.
		{"workbook", "PK\x03\x04\x00\x00binary", "workbook_unsupported"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := f.do(t, req{method: "POST", path: "/orgs/" + string(f.sales.ID) + "/batches", as: f.root, body: tc.file, ctype: "text/csv"})
			p := r.problem(t)
			assert.Equal(t, http.StatusUnprocessableEntity, p.Status, "%s", r.body)
			assert.Equal(t, tc.code, p.Code)
			assert.NotEmpty(t, p.Detail)
		})
	}
}

func TestBatchQueryRefused(t *testing.T) {
	f := newFixture(t, nil)
	for _, tc := range []struct {
		query, code string
		hdr         map[string]string
	}{
		{"?mode=sideways", "request.mode", nil},
		{"?sms_consent=perhaps", "request.sms_consent", nil},
		{"", "request.idempotency_key", map[string]string{"Idempotency-Key": strings.Repeat("k", 201)}},
	} {
		r := f.do(t, req{method: "POST", path: "/orgs/" + string(f.sales.ID) + "/batches" + tc.query, as: f.root,
			body: csvRows("q", 1), ctype: "text/csv", header: tc.hdr, invalid: true})
		p := r.problem(t)
		assert.Equal(t, http.StatusBadRequest, p.Status)
		assert.Equal(t, tc.code, p.Code)
	}
}

// TestConcurrentUploads: uploads into one org at once never hand out more
// numbers than the pool has, nor one number twice.
func TestConcurrentUploads(t *testing.T) {
	f := newFixture(t, nil)
	var pool []string
	for i := range 10 {
		pool = append(pool, fmt.Sprintf("+1415555%04d", 200+i))
	}
	f.numbers(t, f.sales.ID, pool...)
	const uploads, rows = 4, 5
	var wg sync.WaitGroup
	for i := range uploads {
		wg.Go(func() {
			r := f.upload(t, f.sales.ID, "?mode=invite", csvRows(fmt.Sprintf("c%d-", i), rows), nil)
			assert.Equal(t, http.StatusAccepted, r.status, "%s", r.body)
		})
	}
	wg.Wait()
	eventually(t, func() bool {
		var l listOut[batchOut]
		f.do(t, req{method: "GET", path: "/orgs/" + string(f.sales.ID) + "/batches", as: f.root}).decode(t, &l)
		for _, b := range l.Items {
			if b.Status != "finished" {
				return false
			}
		}
		return len(l.Items) == uploads
	})
	var l listOut[accountOut]
	f.do(t, req{method: "GET", path: "/orgs/" + string(f.sales.ID) + "/accounts?limit=500", as: f.root}).decode(t, &l)
	assert.Len(t, l.Items, len(pool), "every number covers one invitation, and no more are invited")
	held := map[string]bool{}
	for _, a := range l.Items {
		assert.Equal(t, "invited", a.Status)
		if a.Number != "" {
			assert.False(t, held[a.Number], "number %s handed out twice", a.Number)
			held[a.Number] = true
		}
	}
}

// blocking is a notifier that holds the first message until released, to
// catch an import mid-way (the service sends without the caller's
// cancellation, so that a sent message is always marked).
type blocking struct {
	entered, release chan struct{}
	once             sync.Once
}

func (b *blocking) Send(ctx context.Context, m invite.Message) error {
	b.once.Do(func() {
		close(b.entered)
		<-b.release
	})
	return nil
}

// TestCloseStopsImports: the upload is answered as soon as its batch is
// stored running; Close cancels the import, which runs on the server's
// lifetime, and the batch's record then says it was interrupted, with the
// rows done.
func TestCloseStopsImports(t *testing.T) {
	n := &blocking{entered: make(chan struct{}), release: make(chan struct{})}
	f := newFixture(t, []multiline.Option{multiline.WithNotifier(n)})
	var pool []string
	for i := range 300 {
		pool = append(pool, fmt.Sprintf("+1415555%04d", 1000+i))
	}
	f.numbers(t, f.sales.ID, pool...)
	r := f.upload(t, f.sales.ID, "?mode=invite", csvRows("s", 250), map[string]string{"Idempotency-Key": "close-1"})
	require.Equal(t, http.StatusAccepted, r.status, "%s", r.body)
	var b batchOut
	r.decode(t, &b)
	assert.Equal(t, "running", b.Status, "answered before the import ends")
	assert.Equal(t, 250, b.Total)
	assert.Equal(t, 0, b.Done)
	<-n.entered
	closed := make(chan error, 1)
	go func() { closed <- f.h.Close() }()
	// Once uploads are refused, the imports' context has ended.
	eventually(t, func() bool {
		return f.upload(t, f.sales.ID, "", csvRows("t", 1), nil).status == http.StatusServiceUnavailable
	})
	close(n.release)
	require.NoError(t, <-closed)
	r = f.do(t, req{method: "GET", path: "/batches/" + b.ID, as: f.root})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	r.decode(t, &b)
	assert.Equal(t, "interrupted", b.Status)
	assert.Equal(t, 100, b.Summary.Invited, "the group under way finishes; no other starts")
	assert.Equal(t, 100, b.Done)
	assert.Equal(t, 250, b.Total)
}

// TestResumeAfterClose: the same file under the same key, uploaded to a
// new server after Close interrupted it, resumes the one batch to the end;
// another file under that key is refused with batch.file_changed.
func TestResumeAfterClose(t *testing.T) {
	n := &blocking{entered: make(chan struct{}), release: make(chan struct{})}
	f := newFixture(t, []multiline.Option{multiline.WithNotifier(n)})
	var pool []string
	for i := range 300 {
		pool = append(pool, fmt.Sprintf("+1415555%04d", 1000+i))
	}
	f.numbers(t, f.sales.ID, pool...)
	file, key := csvRows("s", 250), map[string]string{"Idempotency-Key": "resume-1"}
	r := f.upload(t, f.sales.ID, "?mode=invite", file, key)
	require.Equal(t, http.StatusAccepted, r.status, "%s", r.body)
	var b batchOut
	r.decode(t, &b)
	<-n.entered
	closed := make(chan error, 1)
	go func() { closed <- f.h.Close() }()
	eventually(t, func() bool {
		return f.upload(t, f.sales.ID, "", csvRows("t", 1), nil).status == http.StatusServiceUnavailable
	})
	close(n.release)
	require.NoError(t, <-closed)

	// A new server on the same service, as after a restart.
	h, err := httpapi.New(f.svc, bearer)
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(func() {
		srv.Close()
		require.NoError(t, h.Close())
	})
	f.srv = srv
	f.router = newRouter(t, srv.URL)

	r = f.upload(t, f.sales.ID, "?mode=invite", csvRows("other", 3), key)
	p := r.problem(t)
	assert.Equal(t, http.StatusConflict, p.Status)
	assert.Equal(t, multiline.CodeBatchFileChanged, p.Code)

	r = f.upload(t, f.sales.ID, "?mode=invite", file, key)
	require.Equal(t, http.StatusAccepted, r.status, "%s", r.body)
	var again batchOut
	r.decode(t, &again)
	assert.Equal(t, b.ID, again.ID, "the same batch, resumed")
	eventually(t, func() bool {
		f.do(t, req{method: "GET", path: "/batches/" + b.ID, as: f.root}).decode(t, &b)
		return b.Status != "running"
	})
	assert.Equal(t, "finished", b.Status)
	assert.Equal(t, 250, b.Summary.Invited)
	assert.Equal(t, 250, b.Done)
}

// TestUploadSameKeyWhileRunning: a second upload under the key of one still
// running is refused with batch.running, and changes nothing.
func TestUploadSameKeyWhileRunning(t *testing.T) {
	n := &blocking{entered: make(chan struct{}), release: make(chan struct{})}
	f := newFixture(t, []multiline.Option{multiline.WithNotifier(n)})
	f.numbers(t, f.sales.ID, "+14155550101", "+14155550102")
	key := map[string]string{"Idempotency-Key": "k1"}
	answered := make(chan resp, 1)
	go func() { answered <- f.upload(t, f.sales.ID, "?mode=invite", csvRows("k", 2), key) }()
	<-n.entered
	r := f.upload(t, f.sales.ID, "?mode=invite", csvRows("k", 2), key)
	p := r.problem(t)
	assert.Equal(t, http.StatusConflict, p.Status)
	assert.Equal(t, "batch.running", p.Code)
	close(n.release)
	r = <-answered
	require.Equal(t, http.StatusAccepted, r.status, "%s", r.body)
	var b batchOut
	r.decode(t, &b)
	eventually(t, func() bool {
		f.do(t, req{method: "GET", path: "/batches/" + b.ID, as: f.root}).decode(t, &b)
		return b.Status != "running"
	})
	assert.Equal(t, "finished", b.Status)
	assert.Equal(t, 2, b.Summary.Invited)
}
