package multiline

import (
	"errors"

	"github.com/multilinehq/multiline/batch"
)

// WithWorkbookReader lets ImportBatch read Excel workbooks: an upload that
// starts with the ZIP signature (an .xlsx file) is read through r, its first
// sheet giving the same rows a CSV of it would (SPEC §6). The reader lives in
// the nested module github.com/multilinehq/multiline/batch/xlsx, so that its
// dependency stays out of the core:
//
//	svc, err := multiline.New(store, multiline.WithWorkbookReader(xlsx.New()))
//
// Without it a workbook is refused as a whole with
// batch.ReasonWorkbookUnsupported, whose message says to save the sheet as
// CSV or to plug the reader in.
func WithWorkbookReader(r batch.WorkbookReader) Option {
	return func(s *Service) error {
		if r == nil {
			return errors.New("multiline: WithWorkbookReader: nil reader")
		}
		s.workbook = r
		return nil
	}
}
