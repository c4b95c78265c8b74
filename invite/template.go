package invite

import (
	"bytes"
	"errors"
	"fmt"
	"html"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/language"

	"github.com/multilinehq/multiline/mlerr"
)

// Part is one of the four texts an invitation is made of. An email
// invitation uses the subject and both bodies, an SMS invitation the SMS
// body.
type Part string

// The template parts, named as a host stores them and as the Field of a
// template's validation errors ("template.email_html") names them.
const (
	PartSubject Part = "email_subject" // one line, no markup
	PartText    Part = "email_text"    // the plain-text email body
	PartHTML    Part = "email_html"    // the HTML email body
	PartSMS     Part = "sms"           // the SMS body
)

// numParts is the number of parts; parts lists them in their canonical order.
const numParts = 4

var parts = [numParts]Part{PartSubject, PartText, PartHTML, PartSMS}

// index returns the position of p in parts, or -1 for an unknown part.
func (p Part) index() int {
	for i, q := range parts {
		if p == q {
			return i
		}
	}
	return -1
}

// label names the part the way an administrator's form does, for messages.
func (p Part) label() string {
	switch p {
	case PartSubject:
		return "Email subject"
	case PartText:
		return "Email body (plain text)"
	case PartHTML:
		return "Email body (HTML)"
	case PartSMS:
		return "SMS body"
	}
	return "Template"
}

// needsLink reports whether the part must carry the activation link: every
// body does, since an invitation without its link cannot be redeemed.
func (p Part) needsLink() bool { return p != PartSubject }

// MaxTemplateSize bounds one part of a custom template, in bytes. It keeps a
// stored template, its rendering and the work of validating it small; the
// built-in HTML bodies are under 2 KiB.
const MaxTemplateSize = 16 << 10

// maxTemplateErrors bounds the field errors reported for one part, so that a
// huge malformed template does not produce a huge error.
const maxTemplateErrors = 10

// The stable codes of the template validation errors. Each FieldError's
// Field is "template.<part>" (e.g. "template.email_html") and its Message
// names the part, the position and the rule; the codes are the same for
// every part so that a host translates each one once.
const (
	CodeTemplateUnknownPart        = "template.unknown_part"
	CodeTemplateEmpty              = "template.empty"
	CodeTemplateTooLarge           = "template.too_large"
	CodeTemplateEncoding           = "template.encoding"
	CodeTemplateControl            = "template.control_character"
	CodeTemplateUnbalanced         = "template.unbalanced"
	CodeTemplateSyntax             = "template.syntax"
	CodeTemplateUnknownPlaceholder = "template.unknown_placeholder"
	CodeTemplateHTMLContext        = "template.html_context"
	CodeTemplateLinkRequired       = "template.link_required"
)

// placeholder identifies what a template segment stands for; literal marks
// literal text.
type placeholder uint8

const (
	literal placeholder = iota
	phFirstName
	phLastName
	phUsername
	phOrgName
	phNumber
	phSignInBtn
	phWebAppLink
	phAppDownloadLink
	phExpires
)

// placeholderNames are the portal's names, indexed by placeholder.
var placeholderNames = [...]string{
	phFirstName:       "f_name",
	phLastName:        "l_name",
	phUsername:        "u_name",
	phOrgName:         "org_name",
	phNumber:          "multiline_number",
	phSignInBtn:       "sign_in_btn",
	phWebAppLink:      "web_app_link",
	phAppDownloadLink: "app_download_link",
	phExpires:         "expires",
}

// Placeholders returns the names a template may use, without braces, in the
// order a template editor would list them.
func Placeholders() []string { return slices.Clone(placeholderNames[1:]) }

func lookupPlaceholder(name string) placeholder {
	for i, n := range placeholderNames {
		if i > 0 && n == name {
			return placeholder(i)
		}
	}
	return literal
}

// placeholderList is the list of names for error messages: "{f_name}, ...".
var placeholderList = func() string {
	names := make([]string, 0, len(placeholderNames)-1)
	for _, n := range placeholderNames[1:] {
		names = append(names, "{"+n+"}")
	}
	return strings.Join(names, ", ")
}()

// Values are the data of one invitation that the placeholders stand for.
// They are inserted as they are, never read as template text: a first name
// of "{l_name}" renders as those eight characters.
type Values struct {
	FirstName string // {f_name}
	LastName  string // {l_name}
	Username  string // {u_name}: the lower-cased email or the E.164 device
	OrgName   string // {org_name}
	// Number is the account's MultiLine number, {multiline_number}. When it
	// is empty (the user picks one from the short list at activation) the
	// built-in texts use a wording without it, and a custom template gets a
	// short localized phrase such as "chosen at activation".
	Number string
	// Link is the activation link, {sign_in_btn} and {web_app_link}. It is
	// the host's: its scheme should be https.
	Link string
	// AppDownloadLink is where the app is downloaded, {app_download_link}.
	// The built-in texts do not use it; a custom template may.
	AppDownloadLink string
	// Expires is when the link stops working, {expires}. It is formatted in
	// its own location (convert it with In first to show local time); the
	// zero time renders as empty text.
	Expires time.Time
}

// segment is a literal text or a placeholder.
type segment struct {
	lit string
	ph  placeholder
	// bare is set on a placeholder of the HTML body that stands in an
	// attribute value or a <title>: it renders as its escaped value, and
	// {sign_in_btn} as the bare link rather than a button.
	bare bool
}

// Template is one validated part of an invitation: literal text with
// placeholders. A Template is immutable and safe for concurrent use.
//
// # Syntax
//
// The syntax is the portal's: text, and placeholders written as a name in
// braces, "{f_name}". The names are exactly those Placeholders returns,
// lower-case, without spaces. A literal brace is doubled: "{{" renders as
// "{" and "}}" as "}" (so CSS in an HTML body needs doubled braces; the
// built-in HTML uses inline styles). There is nothing else: no conditionals,
// no loops, no nesting, and values are never expanded again.
//
// # Rendering
//
// In the HTML body every value is HTML-escaped, a link that is not http,
// https or relative is replaced by "#invalid-link" (html/template's rule
// against javascript: URLs), and {sign_in_btn} in the text becomes a
// button-styled link whose label is in the invitation's language (in an
// href or a <title>, the bare link).
// In the other parts values are inserted as they are and {sign_in_btn} is
// the bare link. The subject is kept on one line whatever the values hold.
// {expires} is a long date and time in the email parts, a short date in the
// SMS body (see Choose for the formats).
type Template struct {
	part Part
	src  string
	segs []segment
	// alt is set on built-in texts only: the wording used when the account
	// has no number yet, since a sentence about a missing number reads badly.
	alt *Template
}

// Part returns the part the template was validated for.
func (t *Template) Part() Part { return t.part }

// String returns the template's source text, as it was saved.
func (t *Template) String() string { return t.src }

// ParseTemplate validates s as the given part of an invitation and returns
// the template. It is the check a host runs when an administrator saves a
// custom text, so that no error is left for send time.
//
// It refuses, with *mlerr.FieldError values wrapping mlerr.ErrInvalid (all
// the problems of the part at once, up to ten, joined with errors.Join): an
// unknown part; text that is empty, over MaxTemplateSize, not UTF-8, or that
// holds control characters (in the subject, any line break); unbalanced
// braces; a malformed or unknown placeholder; a body without the activation
// link, {sign_in_btn} or {web_app_link}; and, in the HTML body, what the
// HTML check refuses (see template_html.go): a placeholder anywhere but in
// text or a quoted alt, title, label, value, class, id, name, lang, dir,
// aria-* or data-* attribute — except that the link placeholders may start
// an href; <script>, <iframe>, <object>, <embed>, <form> and the other
// elements that run code, embed documents or change parsing; event-handler
// attributes and meta refresh; URLs other than http, https, mailto, tel,
// sms, cid or relative (javascript:, data:, vbscript:, however disguised);
// styles that can run code; and conditional comments.
func ParseTemplate(part Part, s string) (*Template, error) {
	if part.index() < 0 {
		return nil, mlerr.Invalid("template", CodeTemplateUnknownPart, string(part),
			"Template part must be one of email_subject, email_text, email_html, sms")
	}
	field, label := "template."+string(part), part.label()
	if len(s) > MaxTemplateSize {
		return nil, mlerr.Invalid(field, CodeTemplateTooLarge, valueOf(s),
			fmt.Sprintf("%s must be at most %d KiB; it has %d bytes", label, MaxTemplateSize>>10, len(s)))
	}
	if !utf8.ValidString(s) {
		return nil, mlerr.Invalid(field, CodeTemplateEncoding, valueOf(s), label+" must be UTF-8 text")
	}
	if strings.TrimSpace(s) == "" {
		return nil, mlerr.Invalid(field, CodeTemplateEmpty, valueOf(s), label+" must not be empty")
	}
	for i, r := range s {
		if !unicode.IsControl(r) {
			continue
		}
		lineBreak := r == '\n' || r == '\r'
		if lineBreak && part == PartSubject {
			// A line break in a subject would end the mail header.
			return nil, mlerr.Invalid(field, CodeTemplateControl, valueOf(s),
				fmt.Sprintf("%s must be a single line (line break at %s)", label, position(s, i)))
		}
		if lineBreak || r == '\t' {
			continue
		}
		return nil, mlerr.Invalid(field, CodeTemplateControl, valueOf(s),
			fmt.Sprintf("%s must not contain control characters (%U at %s)", label, r, position(s, i)))
	}

	p := parser{part: part, field: field, label: label, src: s}
	p.parse()
	if part == PartHTML && len(p.errs) == 0 {
		p.checkHTML()
		for k, seg := range p.phSeg {
			p.segs[seg].bare = p.bare[k]
		}
	}
	if len(p.errs) == 0 && part.needsLink() && !p.hasLink {
		// Reported only when the rest is clean: a misspelt link placeholder
		// already has its own error, and a second one would only confuse.
		p.errs = append(p.errs, mlerr.Invalid(field, CodeTemplateLinkRequired, valueOf(s),
			label+" must contain the activation link, {sign_in_btn} or {web_app_link}"))
	}
	if len(p.errs) > 0 {
		return nil, errors.Join(p.errs...)
	}
	return &Template{part: part, src: s, segs: p.segs}, nil
}

// valueOf returns the start of a refused text for FieldError.Value, which
// mlerr cuts shorter still: cut here first so that a 16 KiB text is not
// copied, and made valid UTF-8 for hosts that put the value in JSON.
func valueOf(s string) string {
	if len(s) > 128 {
		s = s[:128]
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

// parser holds the state of one ParseTemplate.
type parser struct {
	part         Part
	field, label string
	src          string
	segs         []segment
	lit          strings.Builder
	errs         []error
	hasLink      bool

	// The HTML body as rendered, with a hole for each placeholder, for
	// checkHTML: flat[i] came from src[pos[i]]; holes are the offsets of
	// the holes in flat, phs their placeholders, phSeg their segments, and
	// bare what checkHTML found of each.
	flat  []byte
	pos   []int
	holes []int
	phs   []placeholder
	phSeg []int
	bare  []bool
}

// text adds literal text that starts at byte at of the source.
func (p *parser) text(lit string, at int) {
	p.lit.WriteString(lit)
	if p.part != PartHTML {
		return
	}
	p.flat = append(p.flat, lit...)
	// A doubled brace is one byte of text from two of source; it is
	// written alone, so at+i is its source position too.
	for i := range len(lit) {
		p.pos = append(p.pos, at+i)
	}
}

// parse reads the source once, left to right, into segments and errors.
func (p *parser) parse() {
	s := p.src
	for i := 0; i < len(s) && len(p.errs) < maxTemplateErrors; {
		switch s[i] {
		case '{':
			if i+1 < len(s) && s[i+1] == '{' {
				p.text("{", i)
				i += 2
				continue
			}
			// A placeholder ends at the first '}'; a '{' or a line break
			// before it means the first brace was never closed.
			end := i + 1
			for end < len(s) && s[end] != '}' && s[end] != '{' && s[end] != '\n' {
				end++
			}
			if end == len(s) || s[end] != '}' {
				p.fail(CodeTemplateUnbalanced, s[i:end],
					"the { at "+position(s, i)+" is never closed; write {{ for a literal brace")
				i = end
				continue
			}
			p.placeholder(i, s[i+1:end])
			i = end + 1
		case '}':
			if i+1 < len(s) && s[i+1] == '}' {
				p.text("}", i)
				i += 2
				continue
			}
			p.fail(CodeTemplateUnbalanced, "}",
				"the } at "+position(s, i)+" has no matching {; write }} for a literal brace")
			i++
		default:
			// Copy the run of text up to the next brace in one go.
			j := i + 1
			for j < len(s) && s[j] != '{' && s[j] != '}' {
				j++
			}
			p.text(s[i:j], i)
			i = j
		}
	}
	p.flush()
}

// placeholder handles "{name}" found at byte at.
func (p *parser) placeholder(at int, name string) {
	ph := lookupPlaceholder(name)
	if ph == literal {
		p.notPlaceholder(at, name)
		return
	}
	if ph == phSignInBtn || ph == phWebAppLink {
		p.hasLink = true
	}
	p.flush()
	if p.part == PartHTML {
		p.holes = append(p.holes, len(p.flat))
		p.flat = append(p.flat, hole)
		p.pos = append(p.pos, at)
		p.phs = append(p.phs, ph)
		p.phSeg = append(p.phSeg, len(p.segs))
		p.bare = append(p.bare, false)
	}
	p.segs = append(p.segs, segment{ph: ph})
}

// notPlaceholder reports "{name}" at byte at, which names no placeholder,
// with the most helpful message it can find.
func (p *parser) notPlaceholder(at int, name string) {
	text := "{" + name + "}"
	short, pos := mlerr.Truncate(text), position(p.src, at)
	switch {
	case name == "":
		p.fail(CodeTemplateSyntax, text, "{} at "+pos+" is an empty placeholder; write {{}} for literal braces")
	case lookupPlaceholder(strings.TrimSpace(name)) != literal:
		p.fail(CodeTemplateSyntax, text, short+" at "+pos+" must be written without spaces: {"+strings.TrimSpace(name)+"}")
	case lookupPlaceholder(strings.ToLower(name)) != literal:
		p.fail(CodeTemplateUnknownPlaceholder, text, short+" at "+pos+" is not a placeholder; placeholders are lower-case: {"+strings.ToLower(name)+"}")
	case isName(name):
		p.fail(CodeTemplateUnknownPlaceholder, text, short+" at "+pos+" is not a placeholder; the placeholders are "+placeholderList)
	default:
		p.fail(CodeTemplateSyntax, text, short+" at "+pos+" is not a placeholder; write {{ and }} for literal braces")
	}
}

// flush ends the current literal segment and returns its text.
func (p *parser) flush() string {
	if p.lit.Len() == 0 {
		return ""
	}
	lit := p.lit.String()
	p.segs = append(p.segs, segment{lit: lit})
	p.lit.Reset()
	return lit
}

// fail records a field error of the part, up to maxTemplateErrors.
func (p *parser) fail(code, value, msg string) {
	if len(p.errs) >= maxTemplateErrors {
		return
	}
	p.errs = append(p.errs, mlerr.Invalid(p.field, code, value, p.label+": "+msg))
}

// isName reports whether s looks like a placeholder name (letters, digits
// and underscores), so that a misspelt one is reported as unknown rather
// than as a syntax error.
func isName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// position renders byte offset i of s as "line L, column C", columns in
// characters, as an administrator counts them in an editor.
func position(s string, i int) string {
	i = min(max(i, 0), len(s))
	line := strings.Count(s[:i], "\n") + 1
	col := utf8.RuneCountInString(s[strings.LastIndexByte(s[:i], '\n')+1:i]) + 1
	return fmt.Sprintf("line %d, column %d", line, col)
}

// Render renders the template in language lang (one Choose returns; any
// other renders English) with the values v. It cannot fail: every template
// was validated when it was made.
func (t *Template) Render(lang language.Tag, v Values) string {
	if t == nil {
		return ""
	}
	if v.Number == "" && t.alt != nil {
		t = t.alt
	}
	loc := localeOf(lang)
	// Rendered in a buffer kept between renders and copied out at its
	// exact length: a string grown in place kept the room it was given
	// (the text's length and 256 bytes more), for as long as the message
	// lives.
	b := renderBufs.Get().(*bytes.Buffer)
	defer renderBufs.Put(b)
	b.Reset()
	for _, sg := range t.segs {
		if sg.ph == literal {
			b.WriteString(sg.lit)
			continue
		}
		t.writeValue(b, loc, sg.ph, sg.bare, v)
	}
	out := b.String()
	if b.Cap() > maxRenderBuf {
		// A huge custom text does not keep its buffer in the pool.
		*b = bytes.Buffer{}
	}
	if t.part == PartSubject {
		// Values come from names and settings, not from the validated
		// template; a line break in one must not split the mail header.
		return strings.Map(func(r rune) rune {
			if unicode.IsControl(r) {
				return ' '
			}
			return r
		}, out)
	}
	return out
}

// renderBufs are the buffers Render writes into.
var renderBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxRenderBuf bounds the buffers kept in renderBufs: a template is at most
// MaxTemplateSize, its values a few hundred bytes each.
const maxRenderBuf = 4 * MaxTemplateSize

// writeValue writes the value of one placeholder, escaped for the part.
func (t *Template) writeValue(b *bytes.Buffer, loc *locale, ph placeholder, bare bool, v Values) {
	var val string
	switch ph {
	case phFirstName:
		val = v.FirstName
	case phLastName:
		val = v.LastName
	case phUsername:
		val = v.Username
	case phOrgName:
		val = v.OrgName
	case phNumber:
		val = v.Number
		if val == "" {
			val = loc.noNumber
		}
	case phExpires:
		val = loc.expiry(v.Expires, t.part == PartSMS)
	case phSignInBtn, phWebAppLink:
		val = v.Link
	case phAppDownloadLink:
		val = v.AppDownloadLink
	}
	if t.part != PartHTML {
		b.WriteString(val)
		return
	}
	switch ph {
	case phSignInBtn:
		if bare {
			b.WriteString(html.EscapeString(safeLink(val)))
			return
		}
		if val == "" {
			return // a button to nowhere is worse than none
		}
		b.WriteString(`<a href="`)
		b.WriteString(html.EscapeString(safeLink(val)))
		b.WriteString(`" style="display:inline-block;padding:12px 24px;background:#0b5cff;color:#ffffff;text-decoration:none;border-radius:6px;font-weight:bold">`)
		b.WriteString(html.EscapeString(loc.button))
		b.WriteString(`</a>`)
	case phWebAppLink, phAppDownloadLink:
		b.WriteString(html.EscapeString(safeLink(val)))
	default:
		b.WriteString(html.EscapeString(val))
	}
}

// unsafeLink replaces a link whose scheme could run code (javascript:,
// data:, ...) in the HTML body, as html/template does.
const unsafeLink = "#invalid-link"

// safeLink returns link when it is http, https or relative, else unsafeLink.
// Links come from the host, not from users, but the HTML body puts them in
// href, where a javascript: URL would run on a click.
func safeLink(link string) string {
	if plainHTTPLink(link) {
		return link
	}
	u, err := url.Parse(strings.TrimSpace(link))
	if err != nil {
		return unsafeLink
	}
	switch strings.ToLower(u.Scheme) {
	case "", "http", "https":
		return link
	}
	return unsafeLink
}

// plainHTTPLink reports, without parsing, whether link is an http or https
// URL that url.Parse reads without error: a lower-case scheme, a host of
// letters, digits, dots and dashes (no user, no port), and a path, query and
// fragment of URL characters without percent escapes. It is the shape of
// every activation link (the host's base and a base64url token), which
// safeLink then need not parse for every message; any other link is parsed.
// FuzzPlainHTTPLink holds it to url.Parse.
func plainHTTPLink(link string) bool {
	rest, ok := strings.CutPrefix(link, "https://")
	if !ok {
		if rest, ok = strings.CutPrefix(link, "http://"); !ok {
			return false
		}
	}
	host := true
	for i := 0; i < len(rest); i++ {
		c := rest[i]
		switch {
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-':
		case c == '/' || c == '?' || c == '#':
			host = false
		case host:
			return false
		case strings.IndexByte("_~=&+,;:@!$'()*", c) >= 0:
		default:
			return false
		}
	}
	return true
}
