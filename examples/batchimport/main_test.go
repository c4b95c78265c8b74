package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/batch"
)

const (
	sampleCSV = "testdata/sample.csv"
	// sampleXLSX is sample.csv saved as a workbook by LibreOffice Calc
	// (batch/xlsx/testdata/make.sh).
	sampleXLSX = "testdata/sample.xlsx"
	// reportHeader is the first line of every report (SPEC §6).
	reportHeader = "row,email address or device,firstname,lastname,multiline_number,status,error,error_code"
)

// sampleImport returns the outcome of each row of sample.csv in Import mode
// on the demo defaults, as "status error_code multiline_number", keyed by row.
func sampleImport() map[int]string {
	return map[int]string{
		2:  "imported",
		3:  "imported +14155550150",
		4:  "imported",
		5:  "failed email.domain",
		6:  "imported",
		7:  "failed username.duplicate",
		8:  "failed forwarding_number.length",
		9:  "failed monitor_sms.value",
		10: "imported",
		11: "failed assign_number.duplicate",
		12: "failed social_messaging.not_enabled",
		13: "imported +14155550151",
		14: "failed assign_number.not_available",
		15: "imported",
		16: "imported",
	}
}

// sampleWith returns the sample's Import outcome with status replacing the
// "imported" of every row that went through, then the changes applied.
func sampleWith(status string, changes map[int]string) map[int]string {
	out := sampleImport()
	for row, v := range out {
		if rest, ok := strings.CutPrefix(v, "imported"); ok {
			out[row] = status + rest
		}
	}
	maps.Copy(out, changes)
	return out
}

// outcomes reads a report CSV as encoding/csv reads it, checks its header
// and the shape of each line, and returns each row's "status error_code
// multiline_number".
func outcomes(t *testing.T, report string) map[int]string {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(report)).ReadAll()
	require.NoError(t, err, "the report is CSV")
	require.NotEmpty(t, recs)
	require.Equal(t, strings.Split(reportHeader, ","), recs[0])
	out := map[int]string{}
	for _, r := range recs[1:] {
		row, err := strconv.Atoi(r[0])
		require.NoError(t, err)
		require.NotContains(t, out, row, "one line per row")
		status, msg, code := r[5], r[6], r[7]
		if status == "failed" {
			assert.NotEmpty(t, msg, "row %d: a failed row says why", row)
		} else {
			assert.Empty(t, msg+code, "row %d: a row that went through has no error", row)
		}
		out[row] = strings.Join(slices.DeleteFunc([]string{status, code, r[4]}, func(s string) bool { return s == "" }), " ")
	}
	return out
}

// reportCells returns the report's cells of one row, by column name.
func reportCells(t *testing.T, report string, row int) map[string]string {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(report)).ReadAll()
	require.NoError(t, err)
	for _, r := range recs[1:] {
		if r[0] == strconv.Itoa(row) {
			cells := map[string]string{}
			for i, name := range recs[0] {
				cells[name] = r[i]
			}
			return cells
		}
	}
	require.Failf(t, "no such row", "row %d", row)
	return nil
}

// assertNoBar checks that stderr holds no trace of a progress bar.
func assertNoBar(t *testing.T, stderr string) {
	t.Helper()
	assert.NotContains(t, stderr, "\r", "no bar redraws")
	assert.NotContains(t, stderr, "█")
	assert.NotContains(t, stderr, "importing")
	assert.NotContains(t, stderr, "\x1b[")
}

// lines splits output into its lines, without the final newline.
func lines(s string) []string {
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

func template(t *testing.T) string {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, batch.WriteTemplate(&b))
	return b.String()
}

type runCase struct {
	name  string
	args  []string
	stdin string
	want  int
	// rows, when set, is the report's exact content, row by row.
	rows map[int]string
	// summary is the last line of stderr of a processed file.
	summary string
	// stderr holds what stderr must contain (every exit status), noStderr
	// what it must not.
	stderr   []string
	noStderr []string
}

// runCases are the command's behaviours, one per flag, value class and exit
// status. Paths are relative to the package directory.
func runCases(t *testing.T) []runCase {
	dir := t.TempDir()
	broken := filepath.Join(dir, "broken.csv")
	require.NoError(t, os.WriteFile(broken, []byte("email address or device,social_messaging,monitor_calls,monitor_sms\nann@demo.example,No,auto,on\n\"bob@demo.example,No,auto,on\n"), 0o644))
	return []runCase{
		// 0: processed, even with failed rows.
		{name: "import", args: []string{sampleCSV}, want: 0, rows: sampleImport(),
			summary: "batchimport: testdata/sample.csv: Import: 15 rows, 8 imported, 7 failed",
			stderr:  []string{"sent email to admin@demo.example: Batch Operations Report: 7 of 15 rows failed\n"},
			// Import sends no invitation.
			noStderr: []string{"invites you"}},
		{name: "invite", args: []string{"-invite", sampleCSV}, want: 0,
			rows:    sampleWith("invited", map[int]string{10: "failed sms_consent.required"}),
			summary: "batchimport: testdata/sample.csv: Import & Invite: 15 rows, 7 invited, 8 failed",
			stderr: []string{"sent email to ann.lee@demo.example: Demo Corp invites you to MultiLine\n",
				"sent email to bob.ray@demo.example: Demo Corp ti invita su MultiLine\n"},
			noStderr: []string{"sent sms"}},
		{name: "invite with SMS consent", args: []string{"-invite", "-sms-consent", sampleCSV}, want: 0,
			rows:    sampleWith("invited", nil),
			summary: "batchimport: testdata/sample.csv: Import & Invite: 15 rows, 8 invited, 7 failed",
			stderr:  []string{"sent sms to +819012345678: Hi Hiro, Demo Corp invites you to MultiLine."}},
		{name: "validate", args: []string{"-validate", sampleCSV}, want: 0,
			rows:    sampleWith("valid", nil),
			summary: "batchimport: testdata/sample.csv: Validate only: 15 rows, 8 valid, 7 failed",
			// Nothing is sent, not even the summary.
			noStderr: []string{"sent "}},
		{name: "validate with SMS consent and social messaging", args: []string{"-validate", "-sms-consent", "-social-messaging", sampleCSV}, want: 0,
			rows:    sampleWith("valid", map[int]string{12: "valid"}),
			summary: "batchimport: testdata/sample.csv: Validate only: 15 rows, 9 valid, 6 failed"},
		{name: "social messaging", args: []string{"-social-messaging", sampleCSV}, want: 0,
			rows:    sampleWith("imported", map[int]string{12: "imported"}),
			summary: "batchimport: testdata/sample.csv: Import: 15 rows, 9 imported, 6 failed"},
		{name: "pool: tagged numbers reserved, capacity in invite mode", args: []string{"-invite", "-pool", "testdata/pool.csv", sampleCSV}, want: 0,
			// Bob and Liam name their numbers (Liam's is reserved under VIP)
			// and go first; two Available numbers remain for Ann and Chiara.
			rows: sampleWith("invited", map[int]string{
				6: "failed number.not_enough", 10: "failed sms_consent.required",
				15: "failed number.not_enough", 16: "failed number.not_enough",
			}),
			summary: "batchimport: testdata/sample.csv: Import & Invite: 15 rows, 4 invited, 11 failed"},
		{name: "pool without the named number", args: []string{"-pool", "testdata/pool_short.csv", sampleCSV}, want: 0,
			rows:    sampleWith("imported", map[int]string{13: "failed assign_number.not_available"}),
			summary: "batchimport: testdata/sample.csv: Import: 15 rows, 7 imported, 8 failed"},
		{name: "max rows at the file's size", args: []string{"-max-rows", "15", sampleCSV}, want: 0, rows: sampleImport()},
		{name: "Windows-1252, semicolons, CRLF", args: []string{"testdata/excel_1252_semicolon.csv"}, want: 0,
			rows:    map[int]string{2: "imported", 4: "imported +14155550160", 5: "failed social_messaging.value"},
			summary: "batchimport: testdata/excel_1252_semicolon.csv: Import: 3 rows, 2 imported, 1 failed"},
		{name: "restrict column with social messaging", args: []string{"-social-messaging", "testdata/restrict.csv"}, want: 0,
			rows: map[int]string{2: "imported", 3: "failed restrict_incoming_social_messaging.needs_social_messaging", 4: "imported"}},
		{name: "standard input", args: []string{"-"}, stdin: "email address or device,social_messaging,monitor_calls,monitor_sms\nann@demo.example,No,auto,on\n", want: 0,
			rows: map[int]string{2: "imported"}, summary: "batchimport: standard input: Import: 1 row, 1 imported, 0 failed"},
		{name: "help", args: []string{"-h"}, want: 0, stderr: []string{"usage: batchimport [flags] FILE.csv", "Excel workbook (.xlsx", "-max-rows N", "-pool FILE"}},
		// sample.xlsx is sample.csv as LibreOffice Calc saved it (phone
		// numbers it took for numbers are number cells): the same outcomes.
		{name: "xlsx workbook", args: []string{sampleXLSX}, want: 0, rows: sampleImport(),
			summary: "batchimport: testdata/sample.xlsx: Import: 15 rows, 8 imported, 7 failed"},
		{name: "xlsx workbook with invite and SMS consent", args: []string{"-invite", "-sms-consent", sampleXLSX}, want: 0,
			rows:    sampleWith("invited", nil),
			summary: "batchimport: testdata/sample.xlsx: Import & Invite: 15 rows, 8 invited, 7 failed",
			stderr:  []string{"sent sms to +819012345678: Hi Hiro, Demo Corp invites you to MultiLine."}},
		{name: "xlsx workbook on standard input, by its signature", args: []string{"-"}, stdin: readString(t, sampleXLSX), want: 0,
			rows: sampleImport(), summary: "batchimport: standard input: Import: 15 rows, 8 imported, 7 failed"},

		// 1: the file is not processed.
		{name: "note left in", args: []string{"testdata/template_note_left_in.csv"}, want: 1,
			stderr: []string{`batchimport: testdata/template_note_left_in.csv rejected: line 3: the template's instruction line (starting with "Note") is still in the file: delete the Note line`}},
		{name: "xlsx template with the note left in", args: []string{"testdata/template_note_left_in.xlsx"}, want: 1,
			stderr: []string{`batchimport: testdata/template_note_left_in.xlsx rejected: line 3: the template's instruction line (starting with "Note") is still in the file`}},
		{name: "xlsx rows over -max-rows", args: []string{"-max-rows", "14", sampleXLSX}, want: 1,
			stderr: []string{"batchimport: testdata/sample.xlsx rejected: line 16: the file has more than 14 data rows"}},
		{name: "not a workbook", args: []string{"-"}, stdin: "PK\x03\x04 not a zip", want: 1,
			stderr: []string{"batchimport: standard input rejected: the file is not a readable .xlsx workbook"}},
		{name: "more rows than -max-rows", args: []string{"-max-rows", "14", sampleCSV}, want: 1,
			stderr: []string{"batchimport: testdata/sample.csv rejected: line 16: the file has more than 14 data rows"}},
		{name: "restrict column without social messaging", args: []string{"testdata/restrict.csv"}, want: 1,
			stderr: []string{"rejected: line 2: column \"restrict_incoming_social_messaging\" has a value, but the organization does not have social messaging"}},
		{name: "missing mandatory column", args: []string{"-"}, stdin: "firstname,email address or device\nAnn,ann@demo.example\n", want: 1,
			stderr: []string{"batchimport: standard input rejected: ", "social_messaging", "monitor_calls", "monitor_sms"}},
		{name: "broken quoting", args: []string{broken}, want: 1, stderr: []string{"rejected: line 3: "}},
		{name: "empty input", args: []string{"-"}, stdin: "", want: 1, stderr: []string{"batchimport: standard input rejected: "}},
		{name: "no such file", args: []string{"testdata/missing.csv"}, want: 1, stderr: []string{"batchimport: open testdata/missing.csv: no such file or directory"}},
		{name: "a directory", args: []string{"testdata"}, want: 1, stderr: []string{"batchimport: testdata is a directory, not a CSV file"}},

		// 2: wrong usage.
		{name: "no file", args: nil, want: 2, stderr: []string{"batchimport: no FILE to import\n", "usage: batchimport"}},
		{name: "flags only", args: []string{"-invite"}, want: 2, stderr: []string{"batchimport: no FILE to import\n"}},
		{name: "two files", args: []string{sampleCSV, sampleCSV}, want: 2, stderr: []string{"batchimport: one FILE at a time, not 2\n", "usage: batchimport"}},
		{name: "invite and validate", args: []string{"-invite", "-validate", sampleCSV}, want: 2, stderr: []string{"batchimport: -invite and -validate cannot be used together\n"}},
		{name: "unknown flag", args: []string{"-dry-run", sampleCSV}, want: 2, stderr: []string{"flag provided but not defined: -dry-run", "usage: batchimport"}},
		{name: "max rows not a number", args: []string{"-max-rows", "ten", sampleCSV}, want: 2, stderr: []string{`invalid value "ten" for flag -max-rows`}},
		{name: "max rows zero", args: []string{"-max-rows", "0", sampleCSV}, want: 2, stderr: []string{"batchimport: -max-rows must be at least 1, not 0\n"}},
		{name: "max rows negative", args: []string{"-max-rows=-3", sampleCSV}, want: 2, stderr: []string{"batchimport: -max-rows must be at least 1, not -3\n"}},
		{name: "max rows without value", args: []string{"-max-rows"}, want: 2, stderr: []string{"flag needs an argument: -max-rows"}},
		{name: "flag after the file", args: []string{sampleCSV, "-invite"}, want: 2, stderr: []string{"batchimport: flags go before FILE: -invite\n"}},
		{name: "template with a file", args: []string{"-template", "out.csv"}, want: 2, stderr: []string{"batchimport: -template takes no FILE"}},
		{name: "pool with a bad number", args: []string{"-pool", "testdata/pool_bad.csv", sampleCSV}, want: 2,
			stderr: []string{"batchimport: -pool testdata/pool_bad.csv: line 3: \"12345\" is not a phone number with its country code\n"}},
		{name: "report in a missing directory", args: []string{"-report", filepath.Join(dir, "no", "report.csv"), sampleCSV}, want: 2,
			stderr: []string{"batchimport: -report " + filepath.Join(dir, "no", "report.csv") + ": no such file or directory\n"}},
		{name: "report is a directory", args: []string{"-report", dir, sampleCSV}, want: 2,
			stderr: []string{"batchimport: -report " + dir + ": is a directory\n"}},
		{name: "pool file missing", args: []string{"-pool", "testdata/missing.csv", sampleCSV}, want: 2,
			stderr: []string{"batchimport: -pool testdata/missing.csv: no such file or directory\n"}},
	}
}

// TestRun runs the command in-process for every flag and exit status.
func TestRun(t *testing.T) {
	for _, tc := range runCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), tc.args, strings.NewReader(tc.stdin), &stdout, &stderr)
			checkRun(t, tc, code, stdout.String(), stderr.String())
		})
	}
}

// checkRun checks one run of the command, in-process or as a program.
func checkRun(t *testing.T, tc runCase, code int, stdout, stderr string) {
	t.Helper()
	require.Equal(t, tc.want, code, "exit status; stderr:\n%s", stderr)
	for _, s := range tc.stderr {
		assert.Contains(t, stderr, s)
	}
	for _, s := range tc.noStderr {
		assert.NotContains(t, stderr, s)
	}
	assertNoBar(t, stderr)
	switch {
	case tc.want == 0 && tc.rows != nil:
		assert.Equal(t, tc.rows, outcomes(t, stdout))
		last := lines(stderr)[len(lines(stderr))-1]
		if tc.summary != "" {
			assert.Equal(t, tc.summary, last, "the summary is stderr's last line")
		}
		assert.Regexp(t, `^batchimport: .*: (Import|Import & Invite|Validate only): \d+ rows?, \d+ (imported|invited|valid), \d+ failed$`, last)
	case tc.want == 0: // -h
		assert.Empty(t, stdout)
	case tc.want == 1:
		assert.Empty(t, stdout, "no report for a file that was not processed")
		assert.Len(t, lines(stderr), 1, "the reason is one line: %q", stderr)
		assert.True(t, strings.HasPrefix(stderr, "batchimport: "), stderr)
	case tc.want == 2:
		assert.Empty(t, stdout)
	}
}

func TestTemplate(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{"-template"}, nil, &stdout, &stderr)
	require.Equal(t, 0, code, stderr.String())
	assert.Equal(t, template(t), stdout.String())
	assert.Empty(t, stderr.String())
	require.True(t, strings.HasPrefix(stdout.String(), "firstname,lastname,email address or device,social_messaging,multiline_number,monitor_calls,monitor_sms,forwarding_number,restrict_incoming_social_messaging,Language\n"))

	// The template as downloaded still has its Note: uploading it as it is
	// is refused, and the testdata copy is the template as it is.
	saved, err := os.ReadFile("testdata/template_note_left_in.csv")
	require.NoError(t, err)
	assert.Equal(t, stdout.String(), string(saved))
	stdout.Reset()
	stderr.Reset()
	code = run(t.Context(), []string{"-"}, strings.NewReader(template(t)), &stdout, &stderr)
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr.String(), "delete the Note line")

	// With the Note deleted, the example row imports.
	noNote := strings.Join(lines(template(t))[:2], "\n") + "\n"
	stdout.Reset()
	stderr.Reset()
	code = run(t.Context(), []string{"-"}, strings.NewReader(noNote), &stdout, &stderr)
	require.Equal(t, 0, code, stderr.String())
	assert.Equal(t, map[int]string{2: "imported"}, outcomes(t, stdout.String()))
}

func TestReportFlag(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "report.csv")
	require.NoError(t, os.WriteFile(file, []byte("earlier report\n"), 0o644))
	only := func(t *testing.T) {
		t.Helper()
		entries, err := os.ReadDir(dir)
		require.NoError(t, err)
		require.Len(t, entries, 1, "no temporary file left behind")
		assert.Equal(t, "report.csv", entries[0].Name())
	}

	// A rejected upload leaves the earlier report as it was.
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{"-report", file, "-max-rows", "1", sampleCSV}, nil, &stdout, &stderr)
	require.Equal(t, 1, code, stderr.String())
	got, err := os.ReadFile(file)
	require.NoError(t, err)
	assert.Equal(t, "earlier report\n", string(got))
	only(t)

	// A processed one replaces it with its report; stdout stays empty.
	stdout.Reset()
	stderr.Reset()
	code = run(t.Context(), []string{"-report", file, sampleCSV}, nil, &stdout, &stderr)
	require.Equal(t, 0, code, stderr.String())
	assert.Empty(t, stdout.String(), "the report goes to the file, not stdout")
	got, err = os.ReadFile(file)
	require.NoError(t, err)
	assert.Equal(t, sampleImport(), outcomes(t, string(got)))
	assert.Equal(t, "batchimport: testdata/sample.csv: Import: 15 rows, 8 imported, 7 failed", lines(stderr.String())[len(lines(stderr.String()))-1])
	fi, err := os.Stat(file)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o644), fi.Mode().Perm())
	only(t)
}

// TestReportCells checks the report's cells beyond the statuses: names
// decoded from Windows-1252, quoted cells with commas, messages that name
// the column.
func TestReportCells(t *testing.T) {
	tests := []struct {
		file string
		row  int
		want map[string]string
	}{
		{"testdata/excel_1252_semicolon.csv", 4, map[string]string{"firstname": "Françoise", "lastname": "Dürrenmatt", "multiline_number": "+14155550160", "status": "imported"}},
		{"testdata/excel_1252_semicolon.csv", 5, map[string]string{"firstname": "Zoë", "lastname": "Ångström", "error": `social_messaging must be Yes or No, not "Nein"`}},
		{sampleCSV, 6, map[string]string{"firstname": "Élodie", "email address or device": "elodie.martin@demo.example"}},
		{sampleCSV, 7, map[string]string{"error": `email address or device "ANN.LEE@demo.example" is also on row 2: only the first occurrence is processed`}},
		{sampleCSV, 10, map[string]string{"email address or device": "+819012345678"}},
		{sampleCSV, 13, map[string]string{"firstname": "O'Brien, Liam", "lastname": ""}},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s:%d", filepath.Base(tc.file), tc.row), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			require.Equal(t, 0, run(t.Context(), []string{tc.file}, nil, &stdout, &stderr), stderr.String())
			cells := reportCells(t, stdout.String(), tc.row)
			for k, v := range tc.want {
				assert.Equal(t, v, cells[k], k)
			}
		})
	}
}

// TestStopped: an import that cannot finish (here: its context is already
// done) is not processed.
func TestStopped(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	var stdout, stderr bytes.Buffer
	code := run(ctx, []string{sampleCSV}, nil, &stdout, &stderr)
	assert.Equal(t, 1, code)
	assert.Empty(t, stdout.String())
	assert.Len(t, lines(stderr.String()), 1, stderr.String())
	assert.Contains(t, stderr.String(), "context canceled")
}

// TestProgressBar: the bar is drawn when stderr is a terminal, cleared when
// the batch ends, and never drawn otherwise.
func TestProgressBar(t *testing.T) {
	tests := []struct {
		args     []string
		terminal bool
		what     string
		summary  string
	}{
		{[]string{sampleCSV}, true, "importing", "batchimport: testdata/sample.csv: Import: 15 rows, 8 imported, 7 failed"},
		{[]string{"-validate", sampleCSV}, true, "validating", "batchimport: testdata/sample.csv: Validate only: 15 rows, 8 valid, 7 failed"},
		{[]string{sampleCSV}, false, "", "batchimport: testdata/sample.csv: Import: 15 rows, 8 imported, 7 failed"},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.args, " terminal=", tc.terminal), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			c := &command{stdout: &stdout, stderr: &stderr, progressBar: tc.terminal}
			require.Equal(t, 0, c.run(t.Context(), tc.args))
			assert.Len(t, outcomes(t, stdout.String()), 15, "the bar never reaches stdout")
			got := stderr.String()
			if !tc.terminal {
				assertNoBar(t, got)
				assert.Equal(t, tc.summary, lines(got)[len(lines(got))-1])
				return
			}
			assert.Contains(t, got, tc.what+"   0% |")
			assert.Contains(t, got, "(14/15)")
			assert.Contains(t, got, "█")
			// The bar is cleared (a carriage return, blanks, a carriage
			// return) before the lines that follow it.
			i := strings.LastIndex(got, "\r")
			require.Positive(t, i)
			assert.Regexp(t, `\r +\r$`, got[:i+1])
			after := lines(got[i+1:])
			assert.Equal(t, tc.summary, after[len(after)-1])
		})
	}
}

func TestIsTerminal(t *testing.T) {
	file, err := os.Create(filepath.Join(t.TempDir(), "stderr"))
	require.NoError(t, err)
	t.Cleanup(func() { file.Close() })
	devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	require.NoError(t, err)
	t.Cleanup(func() { devNull.Close() })
	r, w, err := os.Pipe()
	require.NoError(t, err)
	t.Cleanup(func() { r.Close(); w.Close() })

	for name, out := range map[string]io.Writer{
		"buffer": &bytes.Buffer{}, "file": file, "pipe": w,
		// A character device, but not a terminal.
		"dev null": devNull,
	} {
		assert.False(t, isTerminal(out), name)
	}
	// A terminal is tested in pty_linux_test.go.
}

func TestReadPool(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []multiline.NumberInput
		wantErr string
	}{
		{name: "header, tags normalized, blank lines and trailing cells",
			in:   "Number,Tag\n+1 415 555 0150,\n\n+1 415 555 0151, vip ,\n14155550152\n , \n",
			want: []multiline.NumberInput{{Number: "+14155550150"}, {Number: "+14155550151", Tag: "VIP"}, {Number: "+14155550152"}}},
		{name: "no header", in: "+1 415 555 0150,SALES\r\n",
			want: []multiline.NumberInput{{Number: "+14155550150", Tag: "SALES"}}},
		{name: "byte order mark before the header", in: "\uFEFFnumber,tag\n+14155550150\n",
			want: []multiline.NumberInput{{Number: "+14155550150"}}},
		{name: "header only", in: "number,tag\n", want: nil},
		{name: "empty", in: "", want: nil},
		{name: "bad number", in: "number,tag\n+14155550150\nnot a number\n", wantErr: `line 3: "not a number" is not a phone number with its country code`},
		{name: "no country code", in: "(415) 555-0150\n", wantErr: `line 1: "(415) 555-0150" is not a phone number with its country code`},
		{name: "scientific notation", in: "1.41556E+10\n", wantErr: `line 1: "1.41556E+10" is in scientific notation and has lost digits`},
		{name: "duplicate", in: "+14155550150\n\n14155550150\n", wantErr: "line 3: +14155550150 repeats line 1"},
		{name: "bad tag", in: "+14155550150,VIP LIST\n", wantErr: `line 1: tag "VIP LIST": tag must be 1 to 32 letters, digits, dashes or underscores`},
		{name: "third cell", in: "+14155550150,VIP,extra\n", wantErr: "line 1: 3 cells, expected number and tag only"},
		{name: "header with another column", in: "number,owner\n", wantErr: `line 1: the header's second column must be tag, not "owner"`},
		{name: "header not first", in: "+14155550150\nnumber,tag\n", wantErr: `line 2: "number" is not a phone number`},
		{name: "broken quoting", in: "\"+14155550150,VIP\n", wantErr: "line 1: extraneous or missing \" in quoted-field"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readPool(strings.NewReader(tc.in))
			if tc.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

// buildProgram builds the command into a temporary directory and returns
// the binary's path.
func buildProgram(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "batchimport")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, string(out))
	return bin
}

// runProgram runs the binary and returns its exit status and output.
func runProgram(t *testing.T, dir string, stdin string, name string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Stdin = strings.NewReader(stdin)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode(), stdout.String(), stderr.String()
	}
	require.NoError(t, err)
	return 0, stdout.String(), stderr.String()
}

// TestProgram builds the command and runs it as a program on the files of
// every case of TestRun, reading the report back as CSV; its stderr is a
// pipe, so no progress bar is drawn.
func TestProgram(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the program")
	}
	bin := buildProgram(t)
	for _, tc := range runCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runProgram(t, ".", tc.stdin, bin, tc.args...)
			checkRun(t, tc, code, stdout, stderr)
		})
	}
	t.Run("report file", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "report.csv")
		code, stdout, stderr := runProgram(t, ".", "", bin, "-invite", "-sms-consent", "-report", file, sampleCSV)
		require.Equal(t, 0, code, stderr)
		assert.Empty(t, stdout)
		report, err := os.ReadFile(file)
		require.NoError(t, err)
		assert.Equal(t, sampleWith("invited", nil), outcomes(t, string(report)))
		// The SMS is printed with its activation link, the token shortened.
		assert.Regexp(t, `sent sms to \+819012345678: .*https://portal\.example\.com/activate/[A-Za-z0-9_-]{4}…`, stderr)
		assert.NotRegexp(t, `activate/[A-Za-z0-9_-]{5}`, stderr, "never the full token")
	})
	t.Run("template", func(t *testing.T) {
		code, stdout, stderr := runProgram(t, ".", "", bin, "-template")
		require.Equal(t, 0, code, stderr)
		assert.Equal(t, template(t), stdout)
		assert.Empty(t, stderr)
	})
}

// readmeCommand is the README's main-job command.
const readmeCommand = "go run ./examples/batchimport examples/batchimport/testdata/sample.csv"

// TestReadmeCommand runs the README's main-job command from the repository
// root, as the README says, and reads its report.
func TestReadmeCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the program")
	}
	root, err := filepath.Abs("../..")
	require.NoError(t, err)
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	require.NoError(t, err)
	m := regexp.MustCompile(`(?m)^Run the main job[^\n]*\n(?:[^\n]+\n)*\n    ([^\n]+)\n`).FindSubmatch(readme)
	require.NotNil(t, m, "README.md has the main-job command")
	require.Equal(t, readmeCommand, string(m[1]))

	args := strings.Fields(readmeCommand)
	code, stdout, stderr := runProgram(t, root, "", args[0], args[1:]...)
	require.Equal(t, 0, code, stderr)
	assert.Equal(t, sampleImport(), outcomes(t, stdout))
	// The sample shows both kinds of rows.
	assert.Contains(t, stdout, ",imported,,\n")
	assert.Contains(t, stdout, ",failed,")
	assert.Contains(t, stderr, "batchimport: examples/batchimport/testdata/sample.csv: Import: 15 rows, 8 imported, 7 failed\n")
	assertNoBar(t, stderr)
}

// readString returns a test file's content.
func readString(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(name)
	require.NoError(t, err)
	return string(data)
}
