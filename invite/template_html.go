package invite

import (
	"html"
	"strings"
)

// The checks of a custom HTML body, made when it is saved (ParseTemplate).
//
// # Why not html/template
//
// html/template escapes each value for the context it lands in, at render
// time, and that is the right tool where a template author is trusted and
// only the values are not. Here the author is an organization's
// administrator, whose text goes to every invitee of the organization, and
// the portal's rule is that a template is refused when it is saved, with the
// field error and the position an editor can show — not repaired when it is
// sent. html/template cannot say that: it accepts <script>, event handlers
// and javascript: links in the template's own text, it exposes no context of
// an action through its API, and in a URL attribute it lets a value through
// its filter as long as it is http, https or relative (so a first name of
// "//evil.example" becomes a working link to another host). So the body is
// checked by the tokenizer below, which follows the HTML5 tokenizer's states
// where they decide what is markup (tags, quoted and unquoted attribute
// values, comments, raw text and RCDATA elements), and placeholders are
// allowed only where escaping alone makes any value inert: in text, and in
// quoted values of the attributes listed in textAttributes. The renderer
// then HTML-escapes every value (html.EscapeString escapes both quotes, so
// a value cannot leave its attribute) and passes links through safeLink.
// What escaping cannot make safe — a value in a URL, an event handler, a
// style, a script, a comment — is refused, and so is markup that runs code
// or sends data whatever the values are.

// The codes of the HTML body's refusals, beside the template codes of
// ParseTemplate.
const (
	// CodeTemplatePlaceholderInURL: a placeholder inside a URL attribute
	// (href, src, action, formaction, …); only the activation and download
	// links may stand there, at the start of an href.
	CodeTemplatePlaceholderInURL = "template.placeholder_in_url"
	// CodeTemplatePlaceholderInCode: a placeholder in an event handler or
	// style attribute, or inside <script> or <style>.
	CodeTemplatePlaceholderInCode = "template.placeholder_in_code"
	// CodeTemplatePlaceholderInAttribute: a placeholder in the value of an
	// attribute outside textAttributes.
	CodeTemplatePlaceholderInAttribute = "template.placeholder_in_attribute"
	// CodeTemplateForbiddenElement: <script>, <iframe>, <object>, <embed>,
	// <form> and the other elements of forbiddenElements, and conditional
	// comments.
	CodeTemplateForbiddenElement = "template.forbidden_element"
	// CodeTemplateForbiddenAttribute: an event handler (on…), srcdoc, or a
	// meta refresh.
	CodeTemplateForbiddenAttribute = "template.forbidden_attribute"
	// CodeTemplateUnsafeURL: a URL whose scheme is not http, https,
	// mailto, tel, sms or cid (javascript:, data:, vbscript:, …), however
	// its case, spaces or character references disguise it.
	CodeTemplateUnsafeURL = "template.unsafe_url"
	// CodeTemplateUnsafeCSS: a style that can run code or load other
	// styles (javascript:, expression(, @import, CSS escapes, …).
	CodeTemplateUnsafeCSS = "template.unsafe_css"
)

// forbiddenElements run code, embed other documents, send data, change how
// the rest of the body is parsed (raw text, foreign content), or change
// where relative links go.
var forbiddenElements = map[string]bool{
	"script": true, "iframe": true, "object": true, "embed": true, "form": true,
	"frame": true, "frameset": true, "applet": true, "base": true, "portal": true,
	"svg": true, "math": true, "xmp": true, "plaintext": true, "noembed": true,
	"noframes": true, "noscript": true,
}

// rawTextElements hold text up to their end tag, not markup: the check must
// not read tags in them that a browser would not.
var rawTextElements = map[string]bool{
	"script": true, "style": true, "xmp": true, "iframe": true, "noembed": true,
	"noframes": true, "noscript": true, "title": true, "textarea": true,
}

// urlAttributes hold a URL, which a browser follows, loads or submits to.
var urlAttributes = map[string]bool{
	"href": true, "src": true, "action": true, "formaction": true, "background": true,
	"cite": true, "codebase": true, "data": true, "longdesc": true, "lowsrc": true,
	"dynsrc": true, "poster": true, "srcset": true, "imagesrcset": true, "usemap": true,
	"manifest": true, "ping": true, "profile": true, "classid": true, "archive": true,
	"icon": true, "xlink:href": true, "xml:base": true, "itemtype": true,
}

// textAttributes are the attributes whose quoted value may hold a
// placeholder: text a mail client shows or ignores, never runs or follows.
// (aria-* and data-* are allowed too.)
var textAttributes = map[string]bool{
	"alt": true, "title": true, "label": true, "summary": true, "abbr": true,
	"value": true, "placeholder": true, "class": true, "id": true, "name": true,
	"lang": true, "dir": true,
}

// safeSchemes are the URL schemes a custom body may link to.
var safeSchemes = map[string]bool{"http": true, "https": true, "mailto": true, "tel": true, "sms": true, "cid": true}

// hole marks a placeholder in the flattened body the checker reads; the
// validated source holds no NUL, so it stands for nothing else.
const hole = 0

// htmlChecker reads the literal text of an HTML body with a hole for each
// placeholder, and reports to its parser.
type htmlChecker struct {
	p *parser
	f string // the body as rendered, with a hole for each placeholder
	// holes maps the offset of each hole in f to its placeholder's index
	// among the parser's placeholders.
	holes map[int]int
}

// checkHTML checks the whole HTML body and marks the placeholders that
// stand in an attribute value or an RCDATA element (rendered bare, without
// markup of their own).
func (p *parser) checkHTML() {
	c := htmlChecker{p: p, f: string(p.flat), holes: make(map[int]int, len(p.holes))}
	for k, off := range p.holes {
		c.holes[off] = k
	}
	f := c.f
	for i := 0; i < len(f); {
		if f[i] != '<' || i+1 == len(f) {
			i++ // text, and a hole in text: escaping makes any value safe
			continue
		}
		switch n := f[i+1]; {
		case n == hole:
			c.placement(i+1, CodeTemplateHTMLContext, tagAdvice)
			i += 2
		case n == '!':
			i = c.markupDeclaration(i)
		case n == '?':
			i = c.bogusComment(i + 2)
		case n == '/':
			switch {
			case i+2 < len(f) && isASCIILetter(f[i+2]):
				i, _ = c.tag(i, i+2, true)
			case i+2 < len(f) && f[i+2] == '>':
				i += 3
			case i+2 == len(f):
				i += 2
			default:
				i = c.bogusComment(i + 2)
			}
		case isASCIILetter(n):
			var name string
			i, name = c.tag(i, i+1, false)
			if rawTextElements[name] {
				i = c.rawText(i, name)
			}
		default:
			i++ // "<" not starting markup is text
		}
	}
}

// tagAdvice is the advice for a placeholder inside a tag.
const tagAdvice = `is inside an HTML tag; put it in the text or in a quoted attribute value, as title="%s"`

// placement reports the placeholder of the hole at off, with msg ("%s" is
// the placeholder).
func (c *htmlChecker) placement(off int, code, msg string) {
	k := c.holes[off]
	text := "{" + placeholderNames[c.p.phs[k]] + "}"
	c.p.fail(code, text, text+" at "+position(c.p.src, c.p.pos[off])+" "+strings.ReplaceAll(msg, "%s", text))
}

// refuse reports markup at offset off of f.
func (c *htmlChecker) refuse(off int, code, value, msg string) {
	c.p.fail(code, value, msg+" (at "+position(c.p.src, c.p.pos[min(off, len(c.p.pos)-1)])+")")
}

// holesIn reports every hole in f[from:to] with msg.
func (c *htmlChecker) holesIn(from, to int, code, msg string) {
	for i := from; i < to; i++ {
		if c.f[i] == hole {
			c.placement(i, code, msg)
		}
	}
}

// bogusComment skips to the next '>' (what a browser does with "<?…>",
// "<!DOCTYPE …>" and "</ …>"), refusing a placeholder inside.
func (c *htmlChecker) bogusComment(from int) int {
	end := strings.IndexByte(c.f[from:], '>')
	if end < 0 {
		end = len(c.f) - from
	}
	c.holesIn(from, from+end, CodeTemplateHTMLContext, "is inside HTML markup; put it in the text")
	return min(from+end+1, len(c.f))
}

// markupDeclaration reads "<!…" at i: a comment, or a bogus comment.
func (c *htmlChecker) markupDeclaration(i int) int {
	f := c.f
	if !strings.HasPrefix(f[i:], "<!--") {
		return c.bogusComment(i + 2)
	}
	from := i + 4
	switch {
	case strings.HasPrefix(f[from:], ">"):
		return from + 1
	case strings.HasPrefix(f[from:], "->"):
		return from + 2
	}
	end, close := len(f), 0
	if k := strings.Index(f[from:], "--"); k >= 0 {
		// The comment ends at the first "-->" or "--!>".
		for k := from + k; k+1 < len(f); k++ {
			if strings.HasPrefix(f[k:], "-->") {
				end, close = k, 3
				break
			}
			if strings.HasPrefix(f[k:], "--!>") {
				end, close = k, 4
				break
			}
		}
	}
	body := f[from:end]
	c.holesIn(from, end, CodeTemplateHTMLContext, "is inside an HTML comment, which no one sees; put it in the text")
	if strings.HasPrefix(strings.ToLower(strings.TrimSpace(body)), "[if") {
		// Outlook renders the inside of a conditional comment as HTML that
		// browsers, and this check, take for a comment.
		c.refuse(i, CodeTemplateForbiddenElement, "<!--[if", "conditional comments (<!--[if …]>) are not allowed: their content is not checked")
	}
	return end + close
}

// attribute is one attribute of a tag as read: its lower-case name, its
// value in the flattened body f[from:to], whether it was quoted, and where
// its name starts.
type attribute struct {
	name       string
	from, to   int
	quoted     bool
	nameOffset int
}

// tag reads a start or end tag whose name starts at from (lt is its '<')
// and returns the offset after it and, for a start tag, its lower-case
// name. It applies the element and attribute rules to start tags.
func (c *htmlChecker) tag(lt, from int, end bool) (int, string) {
	f := c.f
	i := from
	for i < len(f) && !isHTMLSpace(f[i]) && f[i] != '/' && f[i] != '>' {
		if f[i] == hole {
			c.placement(i, CodeTemplateHTMLContext, tagAdvice)
		}
		i++
	}
	name := strings.ToLower(f[from:i])
	if !end && forbiddenElements[name] {
		c.refuse(lt, CodeTemplateForbiddenElement, "<"+name+">", "<"+name+"> elements are not allowed in an invitation")
	}
	var attrs []attribute
	for i < len(f) && f[i] != '>' {
		if isHTMLSpace(f[i]) || f[i] == '/' {
			i++
			continue
		}
		// An attribute name, up to a space, '/', '>' or '=' (a leading '='
		// belongs to the name, as in a browser).
		a := attribute{nameOffset: i}
		j := i + 1
		for j < len(f) && !isHTMLSpace(f[j]) && f[j] != '/' && f[j] != '>' && f[j] != '=' {
			j++
		}
		c.holesIn(i, j, CodeTemplateHTMLContext, tagAdvice)
		a.name = strings.ToLower(f[i:j])
		k := j
		for k < len(f) && isHTMLSpace(f[k]) {
			k++
		}
		if k == len(f) || f[k] != '=' {
			a.from, a.to = j, j // no value
			attrs = append(attrs, a)
			i = j
			continue
		}
		k++
		for k < len(f) && isHTMLSpace(f[k]) {
			k++
		}
		switch {
		case k < len(f) && (f[k] == '"' || f[k] == '\''):
			q := strings.IndexByte(f[k+1:], f[k])
			a.from, a.to, a.quoted = k+1, len(f), true
			if q >= 0 {
				a.to = k + 1 + q
			}
			i = min(a.to+1, len(f))
		default:
			e := k
			for e < len(f) && !isHTMLSpace(f[e]) && f[e] != '>' {
				e++
			}
			a.from, a.to = k, e
			i = e
		}
		attrs = append(attrs, a)
	}
	for _, a := range attrs {
		if !a.quoted {
			// An unquoted value ends at a space no escaping removes.
			c.holesIn(a.from, a.to, CodeTemplateHTMLContext, tagAdvice)
		}
		if !end {
			c.attribute(name, a)
		}
	}
	return min(i+1, len(f)), name
}

// attribute applies the attribute rules to a of element elem.
func (c *htmlChecker) attribute(elem string, a attribute) {
	v := c.f[a.from:a.to]
	switch {
	case strings.HasPrefix(a.name, "on"):
		c.refuse(a.nameOffset, CodeTemplateForbiddenAttribute, a.name, "event handler attributes ("+a.name+") are not allowed in an invitation")
		c.valueHoles(a, CodeTemplatePlaceholderInCode, "is inside an event handler")
		return
	case a.name == "srcdoc":
		c.refuse(a.nameOffset, CodeTemplateForbiddenAttribute, a.name, "srcdoc attributes are not allowed in an invitation")
	case a.name == "http-equiv" && strings.EqualFold(strings.TrimSpace(html.UnescapeString(v)), "refresh"):
		c.refuse(a.nameOffset, CodeTemplateForbiddenAttribute, a.name, `<meta http-equiv="refresh"> is not allowed in an invitation`)
	case a.name == "style":
		c.valueHoles(a, CodeTemplatePlaceholderInCode, "is inside a style attribute; put it in the text")
		if unsafeCSS(html.UnescapeString(v)) {
			c.refuse(a.nameOffset, CodeTemplateUnsafeCSS, v, "style attributes must not use javascript:, vbscript:, data:, expression(), bindings, @import or CSS escapes")
		}
		return
	case urlAttributes[a.name]:
		c.urlAttribute(a)
		return
	}
	if textAttributes[a.name] || strings.HasPrefix(a.name, "aria-") || strings.HasPrefix(a.name, "data-") {
		c.markBare(a)
		return
	}
	c.valueHoles(a, CodeTemplatePlaceholderInAttribute, "is inside the "+a.name+" attribute; placeholders may stand in the text, or in quoted alt, title, label, value, class, id, name, lang, dir, aria-* or data-* attributes")
}

// urlAttribute checks a URL attribute: its literal URL must have a safe
// scheme, and the only placeholder it may hold is a link, as the whole
// start of an href.
func (c *htmlChecker) urlAttribute(a attribute) {
	v := c.f[a.from:a.to]
	lead := a.from
	for lead < a.to && isHTMLSpace(c.f[lead]) {
		lead++
	}
	for i := a.from; i < a.to; i++ {
		if c.f[i] != hole || !a.quoted {
			continue
		}
		ph := c.p.phs[c.holes[i]]
		isLink := ph == phSignInBtn || ph == phWebAppLink || ph == phAppDownloadLink
		if a.name == "href" && isLink && i == lead {
			c.p.bare[c.holes[i]] = true
			continue
		}
		c.placement(i, CodeTemplatePlaceholderInURL, "is inside the URL of "+a.name+"; only {sign_in_btn}, {web_app_link} or {app_download_link} may stand there, at the start of an href, as href=\"{web_app_link}\"")
	}
	if lead < a.to && c.f[lead] == hole {
		return // the link's own scheme is checked when it is rendered (safeLink)
	}
	literal := v
	if k := strings.IndexByte(v, hole); k >= 0 {
		literal = v[:k]
	}
	urls := []string{literal}
	if a.name == "srcset" || a.name == "imagesrcset" || a.name == "ping" || a.name == "archive" {
		urls = strings.FieldsFunc(literal, func(r rune) bool { return r == ',' || r == ' ' })
	}
	for _, u := range urls {
		if unsafeURL(u) {
			c.refuse(a.from, CodeTemplateUnsafeURL, u, a.name+" must be an http, https, mailto, tel, sms or cid link, or relative")
			return
		}
	}
}

// valueHoles reports every hole of a's value with msg.
func (c *htmlChecker) valueHoles(a attribute, code, msg string) {
	if a.quoted {
		c.holesIn(a.from, a.to, code, msg)
	}
}

// markBare marks the placeholders of a quoted value to render without
// markup.
func (c *htmlChecker) markBare(a attribute) {
	if !a.quoted {
		return
	}
	for i := a.from; i < a.to; i++ {
		if c.f[i] == hole {
			c.p.bare[c.holes[i]] = true
		}
	}
}

// rawText skips the text of a raw text or RCDATA element that starts at i,
// up to its end tag, and returns the offset of that end tag. In <title> and
// <textarea> (RCDATA) a placeholder is text; in the others it is refused.
func (c *htmlChecker) rawText(i int, name string) int {
	f := c.f
	end := len(f)
	for k := i; k+2+len(name) <= len(f); k++ {
		if f[k] == '<' && f[k+1] == '/' && strings.EqualFold(f[k+2:k+2+len(name)], name) {
			if after := k + 2 + len(name); after == len(f) || isHTMLSpace(f[after]) || f[after] == '/' || f[after] == '>' {
				end = k
				break
			}
		}
	}
	switch name {
	case "title", "textarea":
		for k := i; k < end; k++ {
			if f[k] == hole {
				c.p.bare[c.holes[k]] = true
			}
		}
	case "style":
		c.holesIn(i, end, CodeTemplatePlaceholderInCode, "is inside a <style> element; put it in the text")
		if unsafeCSS(f[i:end]) {
			c.refuse(i, CodeTemplateUnsafeCSS, f[i:min(end, i+64)], "<style> must not use javascript:, vbscript:, data:, expression(), bindings, @import or CSS escapes")
		}
	default:
		c.holesIn(i, end, CodeTemplatePlaceholderInCode, "is inside a <"+name+"> element")
	}
	return end
}

// unsafeURL reports whether a URL, as a browser reads it, has a scheme
// other than safeSchemes. The browser decodes character references, drops
// tabs and line breaks anywhere and controls and spaces around the URL, and
// reads the scheme case-insensitively: "&#106;ava&#x0A;script:" and
// " JAVASCRIPT:" are javascript: URLs.
func unsafeURL(v string) bool {
	u := html.UnescapeString(v)
	u = strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, u)
	u = strings.TrimFunc(u, func(r rune) bool { return r <= ' ' })
	colon := strings.IndexByte(u, ':')
	if colon < 0 {
		return false // relative
	}
	if k := strings.IndexAny(u, "/?#"); k >= 0 && k < colon {
		return false // the colon is in a relative path, query or fragment
	}
	return !safeSchemes[strings.ToLower(u[:colon])]
}

// unsafeCSS reports whether a style can run code or pull in other styles:
// script URLs, data: URLs, IE expressions and behaviors, Mozilla bindings,
// @import, or a CSS escape (which can spell any of them).
func unsafeCSS(s string) bool {
	if strings.ContainsRune(s, '\\') {
		return true
	}
	s = strings.ToLower(s)
	// Comments and white space can split a keyword: "java/**/script:".
	for {
		k := strings.Index(s, "/*")
		if k < 0 {
			break
		}
		e := strings.Index(s[k+2:], "*/")
		if e < 0 {
			s = s[:k]
			break
		}
		s = s[:k] + s[k+2+e+2:]
	}
	s = strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r <= ' ' }), "")
	for _, bad := range []string{"javascript:", "vbscript:", "data:", "expression(", "-moz-binding", "behavior:", "@import"} {
		if strings.Contains(s, bad) {
			return true
		}
	}
	return false
}

func isHTMLSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }

func isASCIILetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
