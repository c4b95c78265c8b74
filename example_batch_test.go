package multiline_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/batch"
	"github.com/multilinehq/multiline/notify"
	"github.com/multilinehq/multiline/store/memory"
)

// An upload answered at once, as an HTTP handler answers 202 Accepted: the
// import runs on, OnStart hands over the Running record as soon as it is
// stored, and the record shows the progress to whoever polls it.
func ExampleBatchOptions_onStart() {
	ctx := context.Background()
	svc, _ := multiline.New(memory.New(), multiline.WithNotifier(notify.NewRecorder()))
	acme, _ := svc.CreateTenant(ctx, multiline.TenantInput{OrgName: "Acme", AdminName: "Ada", AdminEmail: "ada@acme.example"})
	admin := acme.Admin.ID
	file := strings.NewReader("firstname,lastname,email address or device,social_messaging,monitor_calls,monitor_sms\n" +
		"Grace,Hopper,grace@acme.example,No,auto,on\n" +
		"Alan,Turing,alan@acme.example,No,off,off\n")

	// The handler answers with the first of: the record OnStart hands
	// over, or the error of an upload refused before it started.
	type answer struct {
		rec batch.Record
		err error
	}
	first := make(chan answer, 1)
	finished := make(chan error, 1)
	go func() {
		started := false
		_, err := svc.ImportBatch(ctx, admin, acme.Org.ID, file, multiline.BatchOptions{
			Mode: batch.Import, IdempotencyKey: "upload-42",
			OnStart: func(r batch.Record) { started = true; first <- answer{rec: r} },
		})
		if !started {
			first <- answer{err: err}
		}
		finished <- err
	}()
	a := <-first
	if a.err != nil {
		fmt.Println("refused:", a.err)
		return
	}
	fmt.Printf("202 Accepted: batch %s, %d of %d rows\n", a.rec.State, a.rec.Done, a.rec.Total)

	// Later, a poller reads the record.
	if err := <-finished; err != nil {
		panic(err)
	}
	rec, _ := svc.Batch(ctx, admin, a.rec.ID)
	fmt.Printf("polled: batch %s, %d of %d rows, %d imported\n", rec.State, rec.Done, rec.Total, rec.Summary.Imported)
	// Output:
	// 202 Accepted: batch running, 0 of 2 rows
	// polled: batch finished, 2 of 2 rows, 2 imported
}
