package xlsx

import (
	"bytes"
	"os"
	"testing"
	"time"

	"github.com/multilinehq/multiline/batch"
	"github.com/multilinehq/multiline/batch/batchtest"
)

// BenchmarkImport1000 parses and validates the same 1000 rows
// (batchtest.GenerateCSV(1000)) as the CSV and as the workbook LibreOffice
// Calc wrote from it (testdata/bench1000.xlsx): all the work of a batch
// before the store, in one run, so that the ratio of the two is the cost
// of reading a workbook rather than a CSV. csv and xlsx give ns/op and
// allocations of each; interleaved gives their ratio, robust to a load that
// changes during the run.
func BenchmarkImport1000(b *testing.B) {
	csv := batchtest.GenerateCSV(1000)
	book, err := os.ReadFile("testdata/bench1000.xlsx")
	if err != nil {
		b.Fatal(err)
	}
	if src, err := os.ReadFile("testdata/src/bench1000.csv"); err != nil || !bytes.Equal(src, csv) {
		b.Fatal("testdata/src/bench1000.csv is not batchtest.GenerateCSV(1000): run make.sh again", err)
	}
	p := policy(false)
	importAll := func(b *testing.B, data []byte) {
		rows, err := parse(data, batch.Options{})
		if err != nil || len(rows) != 1000 {
			b.Fatal(len(rows), err)
		}
		for _, r := range rows {
			if _, err := batch.ValidateRow(r, p); err != nil {
				b.Fatal(r.Line, err)
			}
		}
	}
	// interleaved alternates the two in every iteration, so that a machine
	// whose load changes during the run weighs on both alike, and reports
	// the ratio of their times.
	b.Run("interleaved", func(b *testing.B) {
		var tc, tx time.Duration
		for b.Loop() {
			t0 := time.Now()
			importAll(b, csv)
			t1 := time.Now()
			importAll(b, book)
			tc, tx = tc+t1.Sub(t0), tx+time.Since(t1)
		}
		b.ReportMetric(float64(tc.Nanoseconds())/float64(b.N), "csv-ns/op")
		b.ReportMetric(float64(tx.Nanoseconds())/float64(b.N), "xlsx-ns/op")
		b.ReportMetric(float64(tx)/float64(tc), "xlsx/csv")
	})
	for _, bm := range []struct {
		name string
		data []byte
	}{{"csv", csv}, {"xlsx", book}} {
		b.Run(bm.name, func(b *testing.B) {
			b.SetBytes(int64(len(bm.data)))
			b.ReportAllocs()
			for b.Loop() {
				importAll(b, bm.data)
			}
		})
	}
}
