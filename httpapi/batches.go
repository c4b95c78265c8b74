package httpapi

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/batch"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/permissions"
)

// maxKeyLen is the longest Idempotency-Key accepted.
const maxKeyLen = 200

// multipartSlack is what a multipart body may hold beyond its file: the
// boundaries and part headers.
const multipartSlack = 64 << 10

// imported is how an import that ran in the background ended.
type imported struct {
	rec batch.Record
	err error
}

// upload takes a CSV file and imports it after the answer (SPEC §10): the
// body is read whole first (a client that sent half a file has no batch),
// then the import runs on the handler's lifetime, not the request's, and
// the answer is the batch's record as soon as it exists.
func (h *Handler) upload(w http.ResponseWriter, r *http.Request, actor permissions.AdminID) {
	opts, err := h.batchOptions(r)
	if err != nil {
		h.problem(w, r, err)
		return
	}
	file, err := h.readUpload(w, r)
	if err != nil {
		h.problem(w, r, err)
		return
	}
	if !h.track() {
		h.problem(w, r, errClosing)
		return
	}
	o := org.ID(r.PathValue("org"))
	// OnStart is called once, as soon as the Running record is committed:
	// the answer goes then, and the import goes on. An upload that never
	// starts (refused, validate-only, a replay of a batch that ended)
	// answers when ImportBatch returns.
	started := make(chan batch.Record, 1)
	done := make(chan imported, 1)
	opts.OnStart = func(b batch.Record) {
		select {
		case started <- b:
		default:
		}
	}
	go func() {
		defer h.running.Done()
		rec, err := h.svc.ImportBatch(h.life, actor, o, bytes.NewReader(file), opts)
		done <- imported{rec, err}
	}()
	select {
	case rec := <-started:
		h.accepted(w, rec)
	case res := <-done:
		var first batch.Record
		began := false
		select {
		case first, began = <-started:
		default:
		}
		switch {
		case began:
			// It started, and ended before the answer went: the batch is
			// the answer, whatever stopped it (its record says).
			if res.rec.ID == "" {
				res.rec = first
			}
			h.accepted(w, res.rec)
		case res.err != nil && (res.rec.ID == "" || !errors.Is(res.err, context.Canceled)):
			// Refused, or failed (a replayed key still running comes with
			// its record, and is refused all the same).
			h.problem(w, r, res.err)
		case opts.Mode == batch.ValidateOnly:
			writeJSON(w, http.StatusOK, validatedView(res.rec))
		default:
			// A batch that Close stopped before it started is still a
			// batch: its record says so (interrupted), and the same upload
			// with the same key resumes it.
			h.accepted(w, res.rec)
		}
	case <-r.Context().Done():
		// The client left; the import goes on, and its record will tell.
	}
}

// accepted answers 202 with a batch's record and where to poll it.
func (h *Handler) accepted(w http.ResponseWriter, rec batch.Record) {
	// Relative to /orgs/{org}/batches, wherever the host mounted the API.
	w.Header().Set("Location", "../../batches/"+url.PathEscape(rec.ID))
	writeJSON(w, http.StatusAccepted, batchView(rec))
}

// batchOptions reads an upload's query and headers.
func (h *Handler) batchOptions(r *http.Request) (multiline.BatchOptions, error) {
	q := r.URL.Query()
	opts := multiline.BatchOptions{Profile: permissions.ProfileID(q.Get("profile")), MaxRows: h.maxRows, MaxBytes: h.maxUpload}
	switch q.Get("mode") {
	case "", "import":
		opts.Mode = batch.Import
	case "invite":
		opts.Mode = batch.ImportInvite
	case "validate":
		opts.Mode = batch.ValidateOnly
	default:
		return opts, badRequest("request.mode", "mode must be import, invite or validate.")
	}
	if s := q.Get("sms_consent"); s != "" {
		v, err := strconv.ParseBool(s)
		if err != nil {
			return opts, badRequest("request.sms_consent", "sms_consent must be true or false.")
		}
		opts.SMSConsent = v
		if v {
			opts.Disclaimer = h.disclaim
		}
	}
	key := strings.TrimSpace(r.Header.Get("Idempotency-Key"))
	if len(key) > maxKeyLen || strings.ContainsFunc(key, func(c rune) bool { return c < ' ' || c == 0x7f }) {
		return opts, badRequest("request.idempotency_key", "Idempotency-Key must be at most 200 printable characters.")
	}
	opts.IdempotencyKey = key
	return opts, nil
}

// readUpload reads the file of an upload: the body itself (text/csv) or
// the part named file (multipart/form-data), at most the batch byte limit.
func (h *Handler) readUpload(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || (mt != "text/csv" && mt != "multipart/form-data") {
		return nil, &statusError{status: http.StatusUnsupportedMediaType, code: "request.content_type",
			detail: "Upload the file as text/csv, or as the field file of multipart/form-data."}
	}
	limit := h.maxUpload
	if mt == "multipart/form-data" {
		limit += multipartSlack
	}
	if r.ContentLength > limit {
		return nil, errTooLarge(h.maxUpload)
	}
	body := http.MaxBytesReader(w, r.Body, limit)
	if mt == "text/csv" {
		return readFile(body, h.maxUpload)
	}
	if params["boundary"] == "" {
		return nil, badRequest("request.malformed", "The multipart body has no boundary.")
	}
	r.Body = body
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, badRequest("request.malformed", "The multipart body could not be read.")
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil, badRequest("request.empty", "The multipart body has no field named file.")
		}
		if err != nil {
			return nil, readError(err, h.maxUpload)
		}
		if part.FormName() != "file" {
			continue
		}
		return readFile(part, h.maxUpload)
	}
}

// readFile reads a whole file of at most limit bytes; an empty one is
// refused here, since no batch could come of it.
func readFile(src io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(src, limit+1))
	if err != nil {
		return nil, readError(err, limit)
	}
	if int64(len(b)) > limit {
		return nil, errTooLarge(limit)
	}
	if len(b) == 0 {
		return nil, badRequest("request.empty", "The file is empty.")
	}
	return b, nil
}

func readError(err error, limit int64) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return errTooLarge(limit)
	}
	return badRequest("request.malformed", "The upload could not be read whole.")
}

func (h *Handler) getBatch(w http.ResponseWriter, r *http.Request, actor permissions.AdminID) {
	b, err := h.svc.Batch(r.Context(), actor, r.PathValue("id"))
	if err != nil {
		h.problem(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, batchView(b))
}

func (h *Handler) listBatches(w http.ResponseWriter, r *http.Request, actor permissions.AdminID) {
	p, err := page(r)
	if err != nil {
		h.problem(w, r, err)
		return
	}
	l, err := h.svc.ListBatches(r.Context(), actor, org.ID(r.PathValue("org")), p)
	if err != nil {
		h.problem(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, listOf(l, batchView))
}

func (h *Handler) batchReport(w http.ResponseWriter, r *http.Request, actor permissions.AdminID) {
	id := r.PathValue("id")
	// Buffered: a refusal must still be a problem answer, and a report is
	// at most one line for each of 1000 rows.
	var buf bytes.Buffer
	if err := h.svc.WriteBatchReport(r.Context(), actor, id, &buf); err != nil {
		h.problem(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": "batch-report-" + safeName(id) + ".csv"}))
	_, _ = w.Write(buf.Bytes())
}

// safeName keeps the letters, digits and dashes of s, for a file name.
func safeName(s string) string {
	return strings.Map(func(c rune) rune {
		if c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
			return c
		}
		return -1
	}, s)
}

func (h *Handler) undoBatch(w http.ResponseWriter, r *http.Request, actor permissions.AdminID) {
	u, err := h.svc.UndoBatch(r.Context(), actor, r.PathValue("id"))
	if err != nil {
		h.problem(w, r, err)
		return
	}
	out := struct {
		Deleted []string `json:"deleted"`
		Kept    []string `json:"kept"`
	}{Deleted: make([]string, len(u.Deleted)), Kept: make([]string, len(u.Kept))}
	for i, id := range u.Deleted {
		out.Deleted[i] = string(id)
	}
	for i, id := range u.Kept {
		out.Kept[i] = string(id)
	}
	writeJSON(w, http.StatusOK, out)
}
