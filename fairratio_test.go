package multiline_test

import (
	"bytes"
	"runtime"
	"testing"
	"time"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/batch"
	"github.com/multilinehq/multiline/batch/batchtest"
)

// BenchmarkImportVsFair1000 runs, in every iteration, one
// BenchmarkFairBaseline1000 and one BenchmarkImportInvite1000 on the same
// 1000-row file, one right after the other, each on a freshly collected
// heap, and reports the ratio of their totals: wall time (ratio-wall) and
// CPU time of the process (ratio-cpu). Measured side by side this way the
// ratio holds while the load of a shared machine moves, where two
// benchmarks run a few seconds apart can see different machines. Its ns/op
// is the two together, and means nothing alone.
func BenchmarkImportVsFair1000(b *testing.B) {
	const n = 1000
	var wall, cpu [2]time.Duration // fair, import
	for range b.N {
		b.StopTimer()
		f, data := benchFixture(b, n)
		runtime.GC()
		b.StartTimer()
		w0, c0 := time.Now(), cpuTime()
		if rows, size, err := batchtest.Fair(data); err != nil || rows != n || size == 0 {
			b.Fatal(rows, size, err)
		}
		wall[0], cpu[0] = wall[0]+time.Since(w0), cpu[0]+cpuTime()-c0
		b.StopTimer()
		runtime.GC()
		b.StartTimer()
		w0, c0 = time.Now(), cpuTime()
		rec, err := f.svc.ImportBatch(ctx, f.root, f.acme.Org.ID, bytes.NewReader(data),
			multiline.BatchOptions{Mode: batch.ImportInvite, SMSConsent: true, MaxRows: n, MaxBytes: int64(len(data))})
		wall[1], cpu[1] = wall[1]+time.Since(w0), cpu[1]+cpuTime()-c0
		if err != nil || rec.Summary.Invited != n {
			b.Fatal(rec.Summary, err)
		}
	}
	b.ReportMetric(float64(wall[1])/float64(wall[0]), "ratio-wall")
	if cpu[0] > 0 {
		b.ReportMetric(float64(cpu[1])/float64(cpu[0]), "ratio-cpu")
	}
	b.ReportMetric(float64(wall[0].Nanoseconds())/float64(b.N), "fair-ns/op")
	b.ReportMetric(float64(wall[1].Nanoseconds())/float64(b.N), "import-ns/op")
}
