// Command batchimport runs a whole batch CSV import (SPEC §6) on the SDK's
// embedded defaults and writes the Batch Operations Report CSV.
//
// Usage:
//
//	batchimport [flags] FILE.csv
//	batchimport [flags] FILE.xlsx
//
// From the repository root: go run ./examples/batchimport FILE.csv.
//
// Each run sets up, in memory, a demo organization ("Demo Corp") with one
// administrator (admin@demo.example, who is also the organization's alert
// recipient and so gets the batch summary) and a demo number pool, uploads
// FILE.csv for it with the organization's default user-permissions profile,
// and writes the report CSV to standard output (or to -report FILE). Nothing
// outlives the process.
//
// Standard error gets, in this order: a progress bar while the rows are
// imported (only when standard error is a terminal), one line per message
// the SDK sent ("sent email to ...: subject" or "sent sms to ...: text"; an
// activation token is never printed in full, only its first four
// characters), and a one-line summary such as
//
//	batchimport: sample.csv: Import: 15 rows, 8 imported, 7 failed
//
// Flags:
//
//	-invite            Import & Invite (default: Import)
//	-validate          validate only; nothing is stored or sent
//	-sms-consent       the administrator attests SMS consent for device rows
//	-social-messaging  the demo organization has social messaging enabled
//	-pool FILE         CSV "number,tag" loaded as the organization's numbers:
//	                   untagged ones Available, tagged ones Reserved under
//	                   their tag (default: 100 Available numbers,
//	                   +1 415 555 0100 to +1 415 555 0199)
//	-max-rows N        row cap (default 1000)
//	-report FILE       write the report to FILE instead of standard output
//	-template          print the portal's CSV template to standard output
//
// Exit status:
//
//	0  the file was processed, even if some of its rows failed (the report
//	   says which and why); also -template and -h
//	1  the file was not processed: it was rejected as a whole by a rule of
//	   SPEC §6 (too many rows, the template's Note left in, a missing
//	   column, ...), or it could not be opened or read, or the import
//	   stopped (an interrupt). The reason is one line on standard error,
//	   naming the problem; no report is written.
//	2  wrong usage: no FILE or more than one, -invite with -validate, an
//	   unknown flag, a -max-rows that is not a whole number of at least 1,
//	   a flag after FILE, -template with a FILE, a -pool file that cannot
//	   be read or has a bad line, or a -report FILE that cannot be created.
//	   The problem is printed on standard error, followed by the usage for a
//	   mistake on the command line itself. Nothing is imported.
//
// Decisions where the contract is silent:
//
//   - FILE "-" reads the upload from standard input.
//   - Excel workbooks: the service has the XLSX reader of module batch/xlsx
//     plugged in (multiline.WithWorkbookReader), so a workbook is read by its
//     content, the ZIP signature, whatever its name and on standard input
//     too: its first sheet gives the rows a CSV of it would, numbered by the
//     sheet's rows. An .xlsx file that is not a workbook is read as CSV and
//     refused as the bytes it holds deserve.
//   - Flags go before FILE (Go's flag package stops at the first argument that
//     is not a flag); a flag written after FILE is refused as wrong usage
//     rather than read as a second file.
//   - The pool file: UTF-8 (a byte order mark is dropped), comma-separated,
//     one number per line with an optional tag in the second cell; blank
//     lines are skipped. A first line whose first cell is "number" (any
//     case) is a header, and is otherwise not required; a header's second
//     cell, if any, must be "tag". Numbers are read as the upload reads them
//     (with their country code; digits only as spreadsheets leave them).
//     An unreadable number, a bad tag, a number given twice, a third cell
//     with a value, or broken CSV is wrong usage (exit 2), reported with the
//     line: the pool configures the demo, it is not the upload that exit 1
//     speaks about. A pool with no numbers is allowed (every row that needs
//     one then fails for capacity in Import & Invite).
//   - The progress bar is drawn only when standard error is a terminal, as
//     golang.org/x/term's IsTerminal says (already in the module graph as a
//     dependency of the progress bar; a character-device check would also
//     draw a bar into /dev/null). The bar is cleared when the batch ends, so
//     the lines that follow start on a clean line.
//   - -report FILE is checked before the import (a temporary file is created
//     beside it) and replaced only once the whole report is written: a
//     rejected upload leaves an earlier report in place.
//   - An interrupt (Ctrl-C) stops the import between rows; the demo store
//     goes away with the process, so no report is written and the exit
//     status is 1.
package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/batch"
	"github.com/multilinehq/multiline/batch/xlsx"
	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/notify"
	"github.com/multilinehq/multiline/numberpool"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/permissions"
	"github.com/multilinehq/multiline/store/memory"
)

// The exit statuses of SPEC §9.
const (
	exitProcessed = 0 // the file was processed, even with failed rows
	exitRejected  = 1 // the file was not processed (rejected as a whole, unreadable, ...)
	exitUsage     = 2 // wrong usage
)

// The demo organization every run sets up.
const (
	demoOrgName    = "Demo Corp"
	demoAdminName  = "Demo Admin"
	demoAdminEmail = "admin@demo.example"
	activationURL  = "https://portal.example.com/activate/"
	demoPoolSize   = 100
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	context.AfterFunc(ctx, stop) // a second interrupt ends the process at once
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run runs the command with args (without the program name) and returns its
// exit status. It draws a progress bar on stderr only when stderr is an
// *os.File attached to a terminal.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	c := &command{stdin: stdin, stdout: stdout, stderr: stderr, progressBar: isTerminal(stderr)}
	return c.run(ctx, args)
}

// isTerminal reports whether w is a file attached to a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// command is one run of the program.
type command struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	// progressBar draws a progress bar on stderr while the rows are imported.
	progressBar bool
}

// config is what the command line asks for.
type config struct {
	mode            batch.Mode
	smsConsent      bool
	socialMessaging bool
	pool            string // "" for the built-in demo pool
	maxRows         int
	report          string // "" for stdout
	template        bool
	file            string // "-" for stdin
}

func (c *command) run(ctx context.Context, args []string) int {
	cfg, code, ok := c.parse(args)
	if !ok {
		return code
	}
	if cfg.template {
		if err := batch.WriteTemplate(c.stdout); err != nil {
			c.errorf("%v", err)
			return exitRejected
		}
		return exitProcessed
	}
	pool, err := c.loadPool(cfg.pool)
	if err != nil {
		c.errorf("-pool %s: %v", cfg.pool, err)
		return exitUsage
	}
	report, err := c.createReport(cfg.report)
	if err != nil {
		c.errorf("-report %s: %v", cfg.report, err)
		return exitUsage
	}
	defer report.discard()
	src, name, closeSrc, err := c.open(cfg.file)
	if err != nil {
		c.errorf("%v", err)
		return exitRejected
	}
	defer closeSrc()

	rec, err := c.importFile(ctx, cfg, pool, src)
	var fe *batch.FileError
	switch {
	case errors.As(err, &fe):
		c.errorf("%s rejected: %s", name, oneLine(strings.TrimPrefix(fe.Error(), "batch: ")))
		return exitRejected
	case err != nil:
		c.errorf("%s: %s", name, oneLine(err.Error()))
		return exitRejected
	}
	if err := report.write(rec.Rows); err != nil {
		c.errorf("%s", oneLine(err.Error()))
		return exitRejected
	}
	fmt.Fprintf(c.stderr, "batchimport: %s: %s: %s\n", name, cfg.mode, summary(cfg.mode, rec.Summary))
	return exitProcessed
}

// parse reads the command line. When ok is false the command ends with
// status code: a problem was printed on stderr with the usage (exitUsage),
// or -h asked for the usage (exitProcessed).
func (c *command) parse(args []string) (cfg config, code int, ok bool) {
	flags := flag.NewFlagSet("batchimport", flag.ContinueOnError)
	flags.SetOutput(c.stderr)
	flags.Usage = func() {
		fmt.Fprint(flags.Output(), "usage: batchimport [flags] FILE.csv\n\n"+
			"Imports FILE.csv, or an Excel workbook (.xlsx, its first sheet), \"-\" for standard input,\n"+
			"into a demo organization in memory and writes the Batch Operations Report CSV.\n"+
			"Exit status: 0 processed, 1 file rejected, 2 usage.\n\nFlags:\n")
		flags.PrintDefaults()
	}
	inviteFlag := flags.Bool("invite", false, "Import & Invite (default: Import)")
	validateFlag := flags.Bool("validate", false, "validate only; nothing is stored or sent")
	flags.BoolVar(&cfg.smsConsent, "sms-consent", false, "the administrator attests SMS consent for device rows")
	flags.BoolVar(&cfg.socialMessaging, "social-messaging", false, "the demo organization has social messaging enabled")
	flags.StringVar(&cfg.pool, "pool", "", "CSV `FILE` of number,tag loaded as the organization's numbers: untagged ones Available,\ntagged ones Reserved under their tag (default: 100 Available demo numbers)")
	flags.IntVar(&cfg.maxRows, "max-rows", batch.DefaultMaxRows, "row cap `N`")
	flags.StringVar(&cfg.report, "report", "", "write the report to `FILE` instead of standard output")
	flags.BoolVar(&cfg.template, "template", false, "print the portal's CSV template to standard output and exit")
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return cfg, exitProcessed, false
		}
		return cfg, exitUsage, false // the flag package printed the problem and the usage
	}
	usage := func(format string, a ...any) (config, int, bool) {
		c.errorf(format, a...)
		flags.Usage()
		return cfg, exitUsage, false
	}
	rest := flags.Args()
	if len(rest) > 1 {
		for _, a := range rest[1:] {
			if len(a) > 1 && strings.HasPrefix(a, "-") {
				return usage("flags go before FILE: %s", a)
			}
		}
	}
	switch {
	case *inviteFlag && *validateFlag:
		return usage("-invite and -validate cannot be used together")
	case cfg.maxRows < 1:
		return usage("-max-rows must be at least 1, not %d", cfg.maxRows)
	case cfg.template && len(rest) > 0:
		return usage("-template takes no FILE: it prints the template to standard output")
	case cfg.template:
		return cfg, exitProcessed, true
	case len(rest) == 0:
		return usage("no FILE to import")
	case len(rest) > 1:
		return usage("one FILE at a time, not %d", len(rest))
	}
	cfg.file = rest[0]
	switch {
	case *inviteFlag:
		cfg.mode = batch.ImportInvite
	case *validateFlag:
		cfg.mode = batch.ValidateOnly
	default:
		cfg.mode = batch.Import
	}
	return cfg, exitProcessed, true
}

// open opens the upload: a file, or stdin for "-". It returns the name to
// show in messages and the function that closes the source.
func (c *command) open(file string) (io.Reader, string, func(), error) {
	if file == "-" {
		return c.stdin, "standard input", func() {}, nil
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, "", nil, err
	}
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		f.Close()
		return nil, "", nil, fmt.Errorf("%s is a directory, not a CSV file", file)
	}
	return f, file, func() { f.Close() }, nil
}

// importFile sets up the demo organization and runs the upload.
func (c *command) importFile(ctx context.Context, cfg config, pool []multiline.NumberInput, src io.Reader) (batch.Record, error) {
	svc, err := multiline.New(memory.New(), multiline.WithNotifier(printer(c.stderr)),
		multiline.WithActivationURL(activationURL), multiline.WithWorkbookReader(xlsx.New()))
	if err != nil {
		return batch.Record{}, err
	}
	admin, orgID, err := setUp(ctx, svc, cfg.socialMessaging, pool)
	if err != nil {
		return batch.Record{}, fmt.Errorf("setting up the demo organization: %w", err)
	}
	bar := &progress{w: c.stderr, on: c.progressBar, what: "importing"}
	if cfg.mode == batch.ValidateOnly {
		bar.what = "validating"
	}
	rec, err := svc.ImportBatch(ctx, admin, orgID, src, multiline.BatchOptions{
		Mode:       cfg.mode,
		SMSConsent: cfg.smsConsent,
		MaxRows:    cfg.maxRows,
		Progress:   bar.update,
	})
	bar.end(err == nil)
	if err != nil && bar.total > 0 {
		return rec, fmt.Errorf("stopped after %d of %d rows: %w", bar.done, bar.total, err)
	}
	return rec, err
}

// setUp creates the demo organization, its administrator and its pool.
func setUp(ctx context.Context, svc *multiline.Service, social bool, pool []multiline.NumberInput) (permissions.AdminID, org.ID, error) {
	t, err := svc.CreateTenant(ctx, multiline.TenantInput{
		OrgName:   demoOrgName,
		AdminName: demoAdminName, AdminEmail: demoAdminEmail,
		Settings: org.Settings{
			SocialMessaging: org.Set(social),
			AlertRecipients: org.Set([]string{demoAdminEmail}),
		},
	})
	if err != nil {
		return "", "", err
	}
	if len(pool) > 0 {
		if _, err := svc.AddNumbers(ctx, t.Admin.ID, t.Org.ID, pool); err != nil {
			return "", "", err
		}
	}
	return t.Admin.ID, t.Org.ID, nil
}

// printer is the notifier of the demo: one line per message on w, with the
// activation token shortened (invite.Message.Redact).
func printer(w io.Writer) notify.Notifier {
	var mu sync.Mutex
	return notify.Func(func(_ context.Context, m invite.Message) error {
		what := m.Subject
		if what == "" {
			what = m.Text
		}
		mu.Lock()
		defer mu.Unlock()
		_, err := fmt.Fprintf(w, "sent %s to %s: %s\n", m.Channel, m.To, oneLine(m.Redact(what)))
		return err
	})
}

// progress draws the progress bar, when on, and remembers how far the
// batch went.
type progress struct {
	w           io.Writer
	on          bool
	what        string // the bar's description
	bar         *progressbar.ProgressBar
	pct         int // the percentage drawn last
	done, total int
}

// update is the batch's progress callback.
func (p *progress) update(done, total int) {
	p.done, p.total = done, total
	if !p.on || total < 1 {
		return
	}
	if p.bar == nil {
		p.bar = progressbar.NewOptions(total,
			progressbar.OptionSetWriter(p.w),
			progressbar.OptionSetDescription(p.what),
			progressbar.OptionSetWidth(30),
			progressbar.OptionShowCount(),
			progressbar.OptionClearOnFinish(),
		)
	}
	// Draw when the percentage changes, and at both ends: at most about a
	// hundred times, whatever the number of rows.
	if pct := done * 100 / total; done == 0 || done == total || pct != p.pct {
		p.pct = pct
		_ = p.bar.Set(done) // a bar that cannot be drawn is no reason to stop the batch
	}
}

// end removes the bar from the terminal: a finished bar clears itself, a
// stopped one is cleared.
func (p *progress) end(finished bool) {
	if p.bar == nil {
		return
	}
	if finished {
		_ = p.bar.Finish()
		return
	}
	_ = p.bar.Exit()
	_ = p.bar.Clear()
}

// report is where the report goes: stdout, or a file written in full or
// not at all.
type report struct {
	stdout io.Writer
	// file is the report's path and tmp the temporary file beside it that
	// becomes it once the report is written; both empty for stdout.
	file string
	tmp  *os.File
}

// createReport prepares the report's destination: stdout when file is "",
// otherwise a temporary file in file's directory, so that a destination that
// cannot be written is known before the import, and file is replaced only
// by a complete report.
func (c *command) createReport(file string) (*report, error) {
	r := &report{stdout: c.stdout, file: file}
	if file == "" {
		return r, nil
	}
	if fi, err := os.Stat(file); err == nil && fi.IsDir() {
		return nil, errors.New("is a directory")
	}
	tmp, err := os.CreateTemp(filepath.Dir(file), "."+filepath.Base(file)+".*")
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return nil, pe.Err // the message names the file already
	} else if err != nil {
		return nil, err
	}
	r.tmp = tmp
	return r, nil
}

// write writes the report CSV of rows.
func (r *report) write(rows []batch.ReportRow) error {
	if r.tmp == nil {
		return batch.WriteReport(r.stdout, rows)
	}
	err := batch.WriteReport(r.tmp, rows)
	if err == nil {
		err = r.tmp.Chmod(0o644)
	}
	if cerr := r.tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(r.tmp.Name(), r.file)
	}
	if err != nil {
		return fmt.Errorf("writing the report to %s: %w", r.file, err)
	}
	r.tmp = nil
	return nil
}

// discard removes the temporary file of a report that was not written.
func (r *report) discard() {
	if r.tmp != nil {
		r.tmp.Close()
		os.Remove(r.tmp.Name())
	}
}

// summary words a batch's counts for its mode: "15 rows, 8 imported, 7 failed".
func summary(m batch.Mode, s batch.Summary) string {
	ok, verb := s.Imported, "imported"
	switch m {
	case batch.ImportInvite:
		ok, verb = s.Invited, "invited"
	case batch.ValidateOnly:
		ok, verb = s.Valid, "valid"
	}
	rows := "rows"
	if s.Total == 1 {
		rows = "row"
	}
	return fmt.Sprintf("%d %s, %d %s, %d failed", s.Total, rows, ok, verb, s.Failed)
}

// loadPool reads the pool file, or returns the demo pool when file is "".
func (c *command) loadPool(file string) ([]multiline.NumberInput, error) {
	if file == "" {
		pool := make([]multiline.NumberInput, demoPoolSize)
		for i := range pool {
			pool[i].Number = fmt.Sprintf("+1415555%04d", 100+i)
		}
		return pool, nil
	}
	f, err := os.Open(file)
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return nil, pe.Err // the message names the file already
	} else if err != nil {
		return nil, err
	}
	defer f.Close()
	return readPool(f)
}

// readPool reads a pool file (see the package doc): number,tag lines, an
// optional header. Errors name the line.
func readPool(src io.Reader) ([]multiline.NumberInput, error) {
	br := bufio.NewReader(src)
	if bom, err := br.Peek(3); err == nil && string(bom) == "\uFEFF" {
		_, _ = br.Discard(3)
	}
	r := csv.NewReader(br)
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	var pool []multiline.NumberInput
	seen := map[string]int{}
	first := true
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return pool, nil
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, fmt.Errorf("line %d: %v", pe.StartLine, pe.Err)
			}
			return nil, err
		}
		line, _ := r.FieldPos(0)
		cells := trimTrailingEmpty(rec)
		if len(cells) == 0 {
			continue // a blank line, or empty cells only
		}
		isHeader := first && strings.EqualFold(cells[0], "number")
		first = false
		if len(cells) > 2 {
			return nil, fmt.Errorf("line %d: %d cells, expected number and tag only", line, len(cells))
		}
		if isHeader {
			if len(cells) == 2 && !strings.EqualFold(cells[1], "tag") {
				return nil, fmt.Errorf("line %d: the header's second column must be tag, not %q", line, cells[1])
			}
			continue
		}
		e164, err := numberpool.ParseE164(cells[0])
		if err != nil {
			why := "is not a phone number with its country code"
			if errors.Is(err, numberpool.ErrScientific) {
				why = "is in scientific notation and has lost digits"
			}
			return nil, fmt.Errorf("line %d: %q %s", line, cells[0], why)
		}
		if prev, dup := seen[e164]; dup {
			return nil, fmt.Errorf("line %d: %s repeats line %d", line, e164, prev)
		}
		seen[e164] = line
		in := multiline.NumberInput{Number: e164}
		if len(cells) == 2 && cells[1] != "" {
			if in.Tag, err = numberpool.NormalizeTag(cells[1]); err != nil {
				msg := err.Error()
				var fe *mlerr.FieldError
				if errors.As(err, &fe) {
					msg = fe.Message
				}
				return nil, fmt.Errorf("line %d: tag %q: %s", line, cells[1], lowerFirst(msg))
			}
		}
		pool = append(pool, in)
	}
}

// trimTrailingEmpty returns rec's cells, trimmed, without the empty ones at
// the end.
func trimTrailingEmpty(rec []string) []string {
	cells := make([]string, len(rec))
	for i, s := range rec {
		cells[i] = strings.TrimSpace(s)
	}
	for len(cells) > 0 && cells[len(cells)-1] == "" {
		cells = cells[:len(cells)-1]
	}
	return cells
}

// errorf prints one "batchimport: " line on stderr.
func (c *command) errorf(format string, a ...any) {
	fmt.Fprintf(c.stderr, "batchimport: "+format+"\n", a...)
}

// oneLine joins the lines of s with spaces, so that a message stays one line.
func oneLine(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' }), " ")
}

// lowerFirst lower-cases the first letter of an ASCII sentence.
func lowerFirst(s string) string {
	if s != "" && s[0] >= 'A' && s[0] <= 'Z' {
		return string(s[0]+'a'-'A') + s[1:]
	}
	return s
}
