package mlerr

import "errors"

// The codes of the sentinels every layer shares. A FieldError that wraps
// ErrInvalid or ErrAlreadyExists has a code of its own, "<field>.<rule>",
// which CodeOf returns instead of these.
const (
	// CodeInvalid is ErrInvalid's code: an input broke a rule.
	CodeInvalid = "invalid"
	// CodeNotFound is ErrNotFound's code: the record does not exist, or the
	// caller may not see it.
	CodeNotFound = "not_found"
	// CodeAlreadyExists is ErrAlreadyExists's code: a unique key is taken.
	CodeAlreadyExists = "already_exists"
	// CodeConflict is ErrConflict's code: the change lost a race and may be
	// retried.
	CodeConflict = "conflict"
)

// Coder is implemented by every refusal that carries a stable code besides
// FieldError (whose Code is a field): sentinels made with New, and the
// structured errors of the domain packages (a move refusal, a status error).
// The code is the same in the API, the batch report and the audit log.
type Coder interface {
	ErrorCode() string
}

// coded is a sentinel error that carries a stable code. Sentinels are
// compared by identity, so errors.Is works on them as on errors.New's.
type coded struct {
	code, msg string
}

func (e *coded) Error() string     { return e.msg }
func (e *coded) ErrorCode() string { return e.code }

// New returns a sentinel error with the given stable code and message. Use it
// for every refusal an administrator or end user can meet; use errors.New for
// internal failures, which have no code.
func New(code, msg string) error { return &coded{code: code, msg: msg} }

// CodeOf returns the stable code of a refusal the SDK returned, however it is
// wrapped: the code of the outermost error in the chain that carries one (a
// FieldError's Code, or a Coder's ErrorCode), looking through %w wrapping and
// errors.Join depth first, so that of joined field errors the first one's code
// is returned (Fields still gives them all). It returns "" for nil and for an
// internal failure (a store or network error), which carries no code.
func CodeOf(err error) string {
	for err != nil {
		switch x := err.(type) {
		case *FieldError:
			return x.Code
		case Coder:
			if c := x.ErrorCode(); c != "" {
				return c
			}
		}
		switch x := err.(type) {
		case interface{ Unwrap() []error }:
			for _, e := range x.Unwrap() {
				if c := CodeOf(e); c != "" {
					return c
				}
			}
			return ""
		default:
			err = errors.Unwrap(err)
		}
	}
	return ""
}
