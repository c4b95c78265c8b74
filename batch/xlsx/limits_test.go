package xlsx

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"hash/crc32"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline/batch"
)

// allocated returns the bytes allocated while f ran.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// zeros streams n zero bytes without holding them.
type zeros struct{ n int64 }

func (z *zeros) Read(p []byte) (int, error) {
	if z.n <= 0 {
		return 0, io.EOF
	}
	k := min(int64(len(p)), z.n)
	clear(p[:k])
	z.n -= k
	return int(k), nil
}

// bomb returns a workbook whose sheet part inflates to size bytes of zeros
// while its header declares declared bytes, with the right checksum of the
// real content: only counting while inflating finds it out.
func bomb(t *testing.T, size, declared int64) []byte {
	t.Helper()
	var comp bytes.Buffer
	fw, err := flate.NewWriter(&comp, flate.BestCompression)
	require.NoError(t, err)
	crc := crc32.NewIEEE()
	_, err = io.Copy(io.MultiWriter(fw, crc), &zeros{n: size})
	require.NoError(t, err)
	require.NoError(t, fw.Close())

	base := pkg(t, nil)
	zr, err := zip.NewReader(bytes.NewReader(base), int64(len(base)))
	require.NoError(t, err)
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		require.NoError(t, zw.Copy(f))
	}
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "xl/worksheets/sheet1.xml", Method: zip.Deflate,
		CRC32: crc.Sum32(), CompressedSize64: uint64(comp.Len()), UncompressedSize64: uint64(declared)})
	require.NoError(t, err)
	_, err = w.Write(comp.Bytes())
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return out.Bytes()
}

// TestZipBombs: the uncompressed size is held to MaxBytes whatever the
// headers say, before memory grows.
func TestZipBombs(t *testing.T) {
	const limit = 1 << 20
	tests := []struct {
		name           string
		size, declared int64
		msg            string
	}{
		// An honest header: refused from the directory, nothing inflated.
		{"declares 64 MiB", 64 << 20, 64 << 20, "larger than the limit of 1 MiB once uncompressed"},
		// Headers that lie: refused while inflating, at the declared size.
		{"declares 1 KiB, inflates to 64 MiB", 64 << 20, 1 << 10, "inflates beyond the size its header declares"},
		{"declares the limit, inflates to 64 MiB", 64 << 20, limit - 4096, "inflates beyond the size its header declares"},
		// Within the limit as declared but the parts add up to more.
		{"two parts over the limit together", 900 << 10, 900 << 10, "larger than the limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := bomb(t, tt.size, tt.declared)
			require.Less(t, len(data), limit, "the upload itself is within the limit")
			if tt.name == "two parts over the limit together" {
				data = twoParts(t, data)
			}
			var err error
			alloc := allocated(func() { _, err = parse(data, batch.Options{MaxBytes: limit}) })
			fe := fileErr(t, err)
			assert.Equal(t, batch.ReasonTooLarge, fe.Reason)
			assert.Contains(t, fe.Message, tt.msg)
			t.Logf("allocated %d bytes for a %d-byte upload", alloc, len(data))
			assert.Less(t, alloc, uint64(4*limit), "memory stays in proportion to the limit, not the bomb")
		})
	}
}

// twoParts adds to a workbook a second copy of its sheet part, under
// another name.
func twoParts(t *testing.T, data []byte) []byte {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	require.NoError(t, err)
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		require.NoError(t, zw.Copy(f))
		if f.Name == "xl/worksheets/sheet1.xml" {
			h := f.FileHeader
			h.Name = "xl/media/copy.bin"
			w, err := zw.CreateRaw(&h)
			require.NoError(t, err)
			rc, err := f.OpenRaw()
			require.NoError(t, err)
			_, err = io.Copy(w, rc)
			require.NoError(t, err)
		}
	}
	require.NoError(t, zw.Close())
	return out.Bytes()
}

// TestUploadOverByteLimit: the workbook's own bytes count against MaxBytes
// as a CSV's do.
func TestUploadOverByteLimit(t *testing.T) {
	data := readFile(t, "bench1000.xlsx")
	_, err := parse(data, batch.Options{MaxBytes: int64(len(data) - 1)})
	fe := fileErr(t, err)
	assert.Equal(t, batch.ReasonTooLarge, fe.Reason)
	assert.NotContains(t, fe.Message, "uncompressed", "refused as uploaded, before it is opened")
	// The same limit holds for the parts once uncompressed: more than the
	// workbook's bytes.
	_, err = parse(data, batch.Options{MaxBytes: int64(len(data))})
	assert.Contains(t, fileErr(t, err).Message, "once uncompressed")
	_, err = parse(data, batch.Options{})
	require.NoError(t, err)
}

// TestRowCap: a sheet of 20 000 rows is refused at row MaxRows+1 while
// streaming, having built no row beyond it.
func TestRowCap(t *testing.T) {
	var rows []string
	rows = append(rows, row(1, hdr...))
	for i := 2; i <= 20001; i++ {
		rows = append(rows, row(i, with(batch.EmailOrDevice, fmt.Sprintf("u%d@example.com", i))...))
	}
	data := pkg(t, map[string]string{"xl/worksheets/sheet1.xml": sheet(rows...)})
	var err error
	capped := allocated(func() { _, err = parse(data, batch.Options{MaxRows: 10, MaxBytes: 16 << 20}) })
	fe := fileErr(t, err)
	assert.Equal(t, batch.ReasonTooManyRows, fe.Reason)
	assert.Equal(t, 12, fe.Line)
	full := allocated(func() { _, err = parse(data, batch.Options{MaxRows: 20000, MaxBytes: 16 << 20}) })
	require.NoError(t, err)
	t.Logf("allocated %d bytes refusing at row 12, %d reading 20 000 rows", capped, full)
	assert.Less(t, capped*4, full, "the refused sheet's rows were not all built")
}

// TestCellCap: a cell over the cap refuses the workbook, in the shared
// strings, an inline string or a value, before the parser holds it.
func TestCellCap(t *testing.T) {
	big := strings.Repeat("a", DefaultMaxCellBytes+1)
	sst := `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>` + big + `</t></si></sst>`
	tests := []struct {
		name  string
		parts map[string]string
		opts  []Option
		line  int
	}{
		{"shared string", map[string]string{"xl/sharedStrings.xml": sst, "xl/worksheets/sheet1.xml": sheet(row(1, hdr...), row(2, good...))}, nil, 0},
		{"inline string", map[string]string{"xl/worksheets/sheet1.xml": sheet(row(1, hdr...), row(2, with(batch.FirstName, big)...))}, nil, 2},
		{"value", map[string]string{"xl/worksheets/sheet1.xml": sheet(row(1, hdr...), row(2, with(batch.FirstName, `<c r="A2" t="str"><v>`+big+`</v></c>`)...))}, nil, 2},
		{"WithMaxCellBytes", map[string]string{"xl/worksheets/sheet1.xml": sheet(row(1, hdr...), row(2, with(batch.FirstName, strings.Repeat("a", 101))...))}, []Option{WithMaxCellBytes(100)}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parse(pkg(t, tt.parts), batch.Options{Workbook: New(tt.opts...)})
			fe := fileErr(t, err)
			assert.Equal(t, batch.ReasonTooLarge, fe.Reason)
			assert.Equal(t, tt.line, fe.Line)
			assert.Contains(t, fe.Message, "no column takes a value that long")
		})
	}
	// At the cap exactly, the cell is read, and fails its column's rule.
	rows, err := parse(pkg(t, map[string]string{"xl/worksheets/sheet1.xml": sheet(row(1, hdr...), row(2, with(batch.FirstName, strings.Repeat("a", 100))...))}),
		batch.Options{Workbook: New(WithMaxCellBytes(100))})
	require.NoError(t, err)
	assert.Len(t, rows[0].Input.FirstName, 100)
}

// TestSparseAndWideSheets: a row numbered 1 048 576 and a cell in column
// XFD cost what their bytes cost, not a sheet's worth of empty rows or
// cells (excelize's own worksheet loader would allocate them).
func TestSparseAndWideSheets(t *testing.T) {
	tall := pkg(t, map[string]string{"xl/worksheets/sheet1.xml": sheet(row(1, hdr...), row(1048576, good...))})
	wide := pkg(t, map[string]string{"xl/worksheets/sheet1.xml": sheet(row(1, hdr...), row(2, good...)+
		`<row r="3"><c r="C3" t="inlineStr"><is><t>b@example.com</t></is></c><c r="XFD3" t="inlineStr"><is><t>x</t></is></c></row>`)})
	var rows []batch.Row
	var err error
	alloc := allocated(func() { rows, err = parse(tall, batch.Options{}) })
	require.NoError(t, err)
	assert.Equal(t, 1048576, rows[0].Line)
	assert.Less(t, alloc, uint64(4<<20), "allocated %d", alloc)

	alloc = allocated(func() { rows, err = parse(wide, batch.Options{}) })
	require.NoError(t, err)
	require.Len(t, rows, 2)
	assert.Contains(t, codes(rows[1].Err), batch.CodeExtraCells, "a value beyond the header's columns")
	assert.Less(t, alloc, uint64(4<<20), "allocated %d", alloc)
}

// TestTooManyParts: an archive of thousands of empty parts is no workbook.
func TestTooManyParts(t *testing.T) {
	parts := map[string]string{}
	for i := range maxParts {
		parts[fmt.Sprintf("junk/%d", i)] = ""
	}
	_, err := parse(pkg(t, parts), batch.Options{MaxBytes: 16 << 20})
	fe := fileErr(t, err)
	assert.Equal(t, batch.ReasonBadWorkbook, fe.Reason)
	assert.Contains(t, fe.Message, "parts")
}
