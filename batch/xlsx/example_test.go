package xlsx_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/batch"
	"github.com/multilinehq/multiline/batch/xlsx"
	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/notify"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/store/memory"
)

// A host plugs the reader into the service once; ImportBatch then takes
// .xlsx uploads as it takes CSV, and the report's rows are the sheet's row
// numbers. accounts.xlsx was written by LibreOffice Calc: row 3 has phone
// numbers stored as number cells, row 5 a date in firstname, rows 6 and 9
// formulas, row 8 is blank. Validate-only checks every row and changes
// nothing.
func Example() {
	ctx := context.Background()
	quiet := notify.Func(func(context.Context, invite.Message) error { return nil })
	svc, err := multiline.New(memory.New(), multiline.WithNotifier(quiet), multiline.WithWorkbookReader(xlsx.New()))
	check(err)
	t, err := svc.CreateTenant(ctx, multiline.TenantInput{OrgName: "Demo", AdminName: "Ada", AdminEmail: "ada@demo.example",
		Settings: org.Settings{SocialMessaging: org.Set(true)}})
	check(err)
	_, err = svc.AddNumbers(ctx, t.Admin.ID, t.Org.ID, []multiline.NumberInput{{Number: "+14155550150"}, {Number: "+14155550151"}})
	check(err)

	f, err := os.Open("testdata/accounts.xlsx")
	check(err)
	defer f.Close()
	rec, err := svc.ImportBatch(ctx, t.Admin.ID, t.Org.ID, f, multiline.BatchOptions{Mode: batch.ValidateOnly})
	check(err)
	for _, r := range rec.Rows {
		fmt.Println(strings.Join(strings.Fields(fmt.Sprint(r.Row, " ", r.EmailOrDevice, " ", r.Status, " ", r.MultilineNumber, " ", r.ErrorCode)), " "))
	}
	// Output:
	// 2 ann.lee@demo.example valid
	// 3 14155550102 valid +14155550150
	// 4 chiara@demo.example valid +14155550151
	// 5 dieter@demo.example failed cell.date
	// 6 elodie@demo.example failed cell.formula
	// 7 frank@demo.example valid
	// 9 grace@demo.example failed cell.formula
}

// Package batch alone reads a workbook with Options.Workbook; without it a
// workbook is refused, saying to plug the reader in.
func ExampleNew() {
	data, err := os.ReadFile("testdata/accounts.xlsx")
	check(err)
	rows, err := batch.Parse(bytes.NewReader(data), batch.Options{Workbook: xlsx.New(), SocialMessaging: true})
	check(err)
	for _, r := range rows[3:5] { // rows 5 and 6 of the sheet
		fe := mlerr.Fields(r.Err)[0]
		fmt.Printf("row %d: %s: %s\n", r.Line, fe.Code, fe.Message)
	}
	_, err = batch.Parse(bytes.NewReader(data), batch.Options{})
	fmt.Println(strings.Contains(err.Error(), "plug in the XLSX reader"))
	// Output:
	// row 5: cell.date: firstname is a date cell (2026-01-02) in the workbook: format the column as text and type the value
	// row 6: cell.formula: lastname is a formula in the workbook (its result is "Martin"): type the value itself, or paste it as values only
	// true
}

func check(err error) {
	if err != nil {
		panic(err)
	}
}
