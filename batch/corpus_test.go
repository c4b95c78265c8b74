package batch

import (
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// corpusCase is one case of a CSV corpus: the bytes and the records it must
// give, header included.
type corpusCase struct {
	name string
	in   []byte
	want [][]string
}

// crlfInQuotes lists the cases whose expected cells hold "\r\n" inside a
// quoted field. encoding/csv, which the parser uses, gives "\n" there (a
// documented Go behaviour, see the package doc); the tests expect "\n" for
// these cases and for no other.
var crlfInQuotes = map[string]bool{
	"csv-spectrum/newlines_crlf": true,
	"rfc4180-vanillaes/rfc6":     true,
}

func loadCorpora(t *testing.T) []corpusCase {
	t.Helper()
	var cases []corpusCase
	csvs, err := filepath.Glob("testdata/csv-spectrum/csvs/*.csv")
	require.NoError(t, err)
	require.Len(t, csvs, 11)
	for _, p := range csvs {
		name := strings.TrimSuffix(filepath.Base(p), ".csv")
		in, err := os.ReadFile(p)
		require.NoError(t, err)
		js, err := os.ReadFile(filepath.Join("testdata/csv-spectrum/json", name+".json"))
		require.NoError(t, err)
		cases = append(cases, corpusCase{name: "csv-spectrum/" + name, in: in, want: orderedRecords(t, js)})
	}
	rfcs, err := filepath.Glob("testdata/rfc4180-vanillaes/*.json")
	require.NoError(t, err)
	require.Len(t, rfcs, 10)
	for _, p := range rfcs {
		js, err := os.ReadFile(p)
		require.NoError(t, err)
		var c struct {
			CSV  []string   `json:"csv"`
			JSON [][]string `json:"json"`
		}
		require.NoError(t, json.Unmarshal(js, &c))
		name := strings.TrimSuffix(filepath.Base(p), ".json")
		cases = append(cases, corpusCase{name: "rfc4180-vanillaes/" + name, in: []byte(strings.Join(c.CSV, "\n")), want: c.JSON})
	}
	for i := range cases {
		c := &cases[i]
		changed := false
		for _, rec := range c.want {
			for j, cell := range rec {
				if strings.Contains(cell, "\r\n") {
					rec[j] = strings.ReplaceAll(cell, "\r\n", "\n")
					changed = true
				}
			}
		}
		require.Equal(t, crlfInQuotes[c.name], changed, "%s: the cases with CRLF inside quotes are the documented ones", c.name)
	}
	return cases
}

// orderedRecords reads a csv-spectrum JSON file, an array of objects keyed
// by the header, into records, keeping the key order (the header's).
func orderedRecords(t *testing.T, js []byte) [][]string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(string(js)))
	tok := func() json.Token {
		tk, err := dec.Token()
		require.NoError(t, err)
		return tk
	}
	require.Equal(t, json.Delim('['), tok())
	var out [][]string
	for dec.More() {
		require.Equal(t, json.Delim('{'), tok())
		var keys, vals []string
		for dec.More() {
			keys = append(keys, tok().(string))
			vals = append(vals, tok().(string))
		}
		require.Equal(t, json.Delim('}'), tok())
		if out == nil {
			out = append(out, keys)
		}
		out = append(out, vals)
	}
	return out
}

// TestCorpusRecords reads every corpus case through the reading path of an
// upload (byte limit, BOM and encoding detection, delimiter detection,
// encoding/csv, blank-record skipping) and compares the records.
func TestCorpusRecords(t *testing.T) {
	for _, c := range loadCorpora(t) {
		t.Run(c.name, func(t *testing.T) {
			_, rr, err := openRecords(strings.NewReader(string(c.in)), Options{})
			require.NoError(t, err)
			var got [][]string
			for {
				rec, _, err := rr.next()
				if errors.Is(err, io.EOF) {
					break
				}
				require.NoError(t, err)
				got = append(got, append([]string(nil), rec...))
			}
			assert.Equal(t, c.want, got)
		})
	}
}

// TestCorpusThroughParse puts each corpus case under an upload header and
// checks that every cell reaches its Row as the corpus expects: the corpus's
// records, its own header included, become data rows whose cells fill the
// first columns of the template.
func TestCorpusThroughParse(t *testing.T) {
	for _, c := range loadCorpora(t) {
		t.Run(c.name, func(t *testing.T) {
			width := 0
			for _, rec := range c.want {
				width = max(width, len(rec))
			}
			require.LessOrEqual(t, width, len(Columns))
			// The whole header, so that no mandatory column is missing; the
			// corpus rows are shorter, and their missing cells empty.
			up := hdr + "\n" + string(c.in)
			rows, err := Parse(strings.NewReader(up), Options{SocialMessaging: true})
			require.NoError(t, err)
			require.Len(t, rows, len(c.want))
			for i, rec := range c.want {
				for j, col := range Columns {
					want := ""
					if j < len(rec) {
						want = rec[j]
					}
					assert.Equal(t, want, rows[i].Cell(col), "record %d, %s", i, col)
				}
				if i > 0 {
					assert.Greater(t, rows[i].Line, rows[i-1].Line)
				}
			}
			assert.Equal(t, 2, rows[0].Line)
		})
	}
}
