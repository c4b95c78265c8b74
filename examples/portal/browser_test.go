package main

// Browser tests of the Accounts screen (SPEC §11): the portal runs in the
// test's process and Debian's chromium, headless, drives every flow end to
// end through the page, as an administrator would. They are never skipped:
// without chromium they fail, saying how to install it.
//
// Screenshots: with PORTAL_SCREENSHOTS=DIR (relative to the repository
// root) the tests save PNGs of the main screens there:
//
//	cd examples && PORTAL_SCREENSHOTS=docs/screenshots go test -count=1 -run TestBrowser ./portal

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// moveRefusal is SPEC §5's move refusal, word for word.
const moveRefusal = "Unable to move account(s). You do not have enough numbers available in the selected organization"

// chromiumPath is the browser the tests drive: $CHROMIUM, or Debian's.
func chromiumPath(t *testing.T) string {
	t.Helper()
	p := os.Getenv("CHROMIUM")
	if p == "" {
		p = "/usr/bin/chromium"
	}
	if _, err := exec.LookPath(p); err != nil {
		t.Fatalf("the browser tests need chromium at %s (or $CHROMIUM): install it with `apt-get install -y chromium` (%v)", p, err)
	}
	return p
}

// inProcess runs the portal program in the test's process and answers
// its URL and organizations (name → ID).
func inProcess(t *testing.T) (string, map[string]string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r, w := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0"}, w, io.Discard)
		w.Close()
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-done:
			assert.Equal(t, 0, code)
		case <-time.After(20 * time.Second):
			t.Error("the portal did not stop")
		}
	})
	lines := bufio.NewScanner(r)
	require.True(t, lines.Scan(), "the URL line")
	url := lines.Text()
	require.True(t, lines.Scan(), "the token line")
	orgs := map[string]string{}
	for range 3 {
		require.True(t, lines.Scan())
		f := strings.Fields(lines.Text())
		orgs[strings.Join(f[1:len(f)-1], " ")] = f[len(f)-1]
	}
	go func() { _, _ = io.Copy(io.Discard, r) }()
	return url, orgs
}

// newBrowser starts a fresh headless chromium (its own profile directory)
// and answers a tab's context.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("mute-audio", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelB := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelB(); cancelA() })
	require.NoError(t, chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)), "start chromium")
	// window.confirm (Delete, Undo) is answered yes, as the administrator would.
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for _, err := range dialogs {
			if err != nil {
				return
			}
			_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}
	}()
	return ctx
}

// step runs actions in order, with a deadline.
func step(t *testing.T, ctx context.Context, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	require.NoError(t, chromedp.Do(c, actions...))
}

// eval answers a JavaScript expression's value.
func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	v, err := chromedp.Run(c, chromedp.Evaluate[T](expr))
	require.NoError(t, err, expr)
	return v
}

// until waits until a JavaScript expression is true.
func until(expr string) chromedp.Action[chromedp.Void] {
	return chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(0))
}

// css is a CSS selector.
func css(sel string) chromedp.CSS { return chromedp.CSS(sel) }

// text reads an element's text.
func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	return strings.TrimSpace(eval[string](t, ctx, fmt.Sprintf(`(document.querySelector(%q) || {}).textContent || ""`, sel)))
}

// waitText waits until the element's text contains want.
func waitText(t *testing.T, ctx context.Context, sel, want string) {
	t.Helper()
	js := fmt.Sprintf(`(() => { const e = document.querySelector(%q); return !!e && e.textContent.includes(%q); })()`, sel, want)
	c, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	if err := chromedp.Do(c, until(js)); err != nil {
		t.Fatalf("%s never said %q (it says %q): %v", sel, want, text(t, ctx, sel), err)
	}
}

// selectRow ticks the checkbox of the account row with that username,
// once the list shows it.
func selectRow(username string) chromedp.Action[chromedp.Void] {
	js := fmt.Sprintf(`(() => {
		const tr = [...document.querySelectorAll("#accounts tbody tr")].find(r => r.cells[2].textContent === %q);
		if (!tr) return false;
		const c = tr.querySelector("input[type=checkbox]");
		if (!c.checked) c.click();
		return true; })()`, username)
	return until(js)
}

// rowCell answers the cell (2 username, 3 organization, 4 status) of the
// row with that username, or "" when the list has no such row.
func rowCell(t *testing.T, ctx context.Context, username string, cell int) string {
	t.Helper()
	return eval[string](t, ctx, fmt.Sprintf(`(() => {
		const tr = [...document.querySelectorAll("#accounts tbody tr")].find(r => r.cells[2].textContent === %q);
		return tr ? tr.cells[%d].textContent : ""; })()`, username, cell))
}

// screenshots is where PORTAL_SCREENSHOTS asks the screens to be saved ("" for none).
func screenshots(t *testing.T) string {
	dir := os.Getenv("PORTAL_SCREENSHOTS")
	if dir == "" {
		return ""
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join("..", "..", dir) // relative to the repository root
	}
	require.NoError(t, os.MkdirAll(dir, 0o755))
	return dir
}

// shot saves a screenshot of the whole page when screenshots are asked for.
func shot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := screenshots(t)
	if dir == "" {
		return
	}
	step(t, ctx, chromedp.Sleep(150*time.Millisecond))
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644))
}

// shotViewport saves what the window shows (for a modal dialog).
func shotViewport(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := screenshots(t)
	if dir == "" {
		return
	}
	step(t, ctx, chromedp.Sleep(150*time.Millisecond))
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644))
}

// batchCSV is an upload of n good rows and one bad one.
func batchCSV(n int) string {
	var b strings.Builder
	b.WriteString("firstname,lastname,email address or device,social_messaging,monitor_calls,monitor_sms,Language\n")
	for i := range n {
		fmt.Fprintf(&b, "Batch%d,Person,batch%d@demo.example,No,auto,off,English\n", i, i)
	}
	b.WriteString("Bad,Row,bad@demo.example,Maybe,auto,off,English\n")
	return b.String()
}

// unlabelled lists the form controls of the page that have no label.
const unlabelled = `[...document.querySelectorAll("input:not([type=hidden]), select, textarea")]
	.filter(e => !(e.labels && e.labels.length) && !e.getAttribute("aria-label") && !e.getAttribute("aria-labelledby"))
	.map(e => e.id || e.name || e.outerHTML)`

// TestBrowser drives every flow of the Accounts screen in chromium, in
// order, on one portal: each subtest builds on what the previous did.
func TestBrowser(t *testing.T) {
	base, orgs := inProcess(t)
	ctx := newBrowser(t)
	downloads := t.TempDir()
	_, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior,
		browser.SetDownloadBehaviorParams{Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: downloads})
	require.NoError(t, err)

	t.Run("every control has a label and the page loads nothing from elsewhere", func(t *testing.T) {
		for _, p := range []string{"", "add", "reports", "inbox", "activate/nosuchtoken"} {
			step(t, ctx, chromedp.Navigate(base+p), chromedp.WaitReady(css("body")))
			assert.Empty(t, eval[[]string](t, ctx, unlabelled), "/%s", p)
			foreign := eval[[]string](t, ctx, `performance.getEntriesByType("resource").map(e => e.name).filter(u => !u.startsWith(location.origin))`)
			assert.Empty(t, foreign, "/%s", p)
			assert.Empty(t, eval[[]string](t, ctx, `window.cspViolations`), "/%s: what the Content-Security-Policy refused", p)
		}
	})

	t.Run("add shows the API's field errors next to their fields", func(t *testing.T) {
		step(t, ctx, chromedp.Navigate(base+"add"), chromedp.WaitVisible(css("#single")),
			pick("#org", orgs["Sales"]),
			chromedp.SendKeys(css("#first_name"), "Ada"),
			chromedp.SendKeys(css("#destination"), "ada@demo.example"),
			chromedp.SendKeys(css("#forwarding_number"), "12"),
			chromedp.Click(css("#save")))
		waitText(t, ctx, "#err-forwarding_number", "Forwarding Number must have 4 to 18 digits")
		assert.NotEmpty(t, text(t, ctx, "#err-last_name"), "every field error at once")
		assert.Equal(t, "true", eval[string](t, ctx, `document.getElementById("forwarding_number").getAttribute("aria-invalid")`))
	})

	t.Run("add and invite one account", func(t *testing.T) {
		step(t, ctx, chromedp.Navigate(base+"add"), chromedp.WaitVisible(css("#single")),
			pick("#org", orgs["Sales"]),
			chromedp.SendKeys(css("#first_name"), "Grace"),
			chromedp.SendKeys(css("#last_name"), "Hopper"),
			chromedp.SendKeys(css("#account_id"), "grace"),
			chromedp.SendKeys(css("#destination"), "grace@demo.example"),
			pick("#language", "it"))
		shot(t, ctx, "add-single-1280")
		step(t, ctx, chromedp.Click(css("#save-invite")))
		waitText(t, ctx, "#single-done", "Saved and invited: grace@demo.example (Invited)")
		assert.Empty(t, text(t, ctx, "#err-first_name"))
		// And one with a number of the pool, saved without an invitation.
		step(t, ctx, chromedp.SendKeys(css("#first_name"), "Alan"),
			chromedp.SendKeys(css("#last_name"), "Turing"),
			chromedp.SendKeys(css("#account_id"), "alan"),
			chromedp.SendKeys(css("#destination"), "alan@demo.example"),
			chromedp.SendKeys(css("#assign_number"), "+14155550150"),
			chromedp.Click(css("#save")))
		waitText(t, ctx, "#single-done", "Saved: alan@demo.example (Not Invited), number +14155550150.")
	})

	t.Run("add and invite from the keyboard only", func(t *testing.T) {
		step(t, ctx, chromedp.Navigate(base+"add"), chromedp.WaitVisible(css("#single")), chromedp.Focus(css("#first_name")),
			chromedp.KeyEvent("Kay"+kb.Tab+"Lee"+kb.Tab), // to Organization
			chromedp.KeyEvent(kb.ArrowDown))              // Demo Carrier → Sales
		require.Equal(t, orgs["Sales"], eval[string](t, ctx, `document.getElementById("org").value`))
		step(t, ctx, chromedp.KeyEvent(kb.Tab+"kay"+kb.Tab+kb.Tab+"kay@demo.example"))
		// Assign Number, User Permissions, Forwarding Number, Language, the
		// SMS consent, Save, then Save & Invite.
		for range 7 {
			step(t, ctx, chromedp.KeyEvent(kb.Tab))
		}
		require.Equal(t, "save-invite", eval[string](t, ctx, `document.activeElement.id`))
		step(t, ctx, chromedp.KeyEvent(kb.Enter))
		waitText(t, ctx, "#single-done", "Saved and invited: kay@demo.example (Invited)")
		require.Equal(t, "first_name", eval[string](t, ctx, `document.activeElement.id`), "ready for the next account")
	})

	t.Run("the tabs work from the keyboard", func(t *testing.T) {
		step(t, ctx, chromedp.Navigate(base+"add"), chromedp.WaitVisible(css("#single")),
			chromedp.Focus(css("#tab-single")), chromedp.KeyEvent(kb.ArrowRight))
		assert.True(t, eval[bool](t, ctx, `document.getElementById("panel-single").hidden && !document.getElementById("panel-multiple").hidden && document.activeElement.id === "tab-multiple"`), "ArrowRight selects Multiple Accounts")
	})

	t.Run("upload a file, watch the progress reach 100 %, download the report", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "accounts.csv")
		require.NoError(t, os.WriteFile(file, []byte(batchCSV(150)), 0o644))
		step(t, ctx, chromedp.Navigate(base+"add#multiple"), chromedp.WaitVisible(css("#multiple")),
			pick("#b-org", orgs["Sales"]),
			chromedp.SetUploadFiles(css("#file"), []string{file}))
		shot(t, ctx, "add-multiple-1280")
		// The template download.
		step(t, ctx, chromedp.Click(css("#template-link")))
		tmpl := waitFile(t, downloads, "multiline-template.csv")
		assert.True(t, strings.HasPrefix(tmpl, "firstname,lastname,email address or device,"), tmpl)

		// The template as it is still has its Note: the API refuses the
		// file, and the page says why.
		step(t, ctx, chromedp.SetUploadFiles(css("#file"), []string{filepath.Join(downloads, "multiline-template.csv")}),
			chromedp.Click(css("#import")),
			until(`[...document.querySelectorAll("#multiple-error, #err-file")].some(e => e.textContent.includes("Note"))`))
		assert.False(t, eval[bool](t, ctx, `document.getElementById("progress").open`))

		// Every progress text the window shows, in order.
		step(t, ctx, chromedp.SetUploadFiles(css("#file"), []string{file}))
		eval[bool](t, ctx, `(() => { window.seen = [];
			new MutationObserver(() => window.seen.push(document.getElementById("progress-text").textContent))
				.observe(document.getElementById("progress-text"), {childList: true, characterData: true, subtree: true});
			return true; })()`)
		step(t, ctx, chromedp.Click(css("#import")), chromedp.WaitVisible(css("#progress")))
		waitText(t, ctx, "#progress-text", "151 / 151 rows · 100 %")
		seen := eval[[]string](t, ctx, `window.seen.filter(s => s.includes("rows"))`)
		require.NotEmpty(t, seen)
		last := -1
		for _, s := range seen {
			var done, total, pct int
			_, err := fmt.Sscanf(s, "%d / %d rows · %d %%", &done, &total, &pct)
			require.NoError(t, err, s)
			assert.Equal(t, 151, total)
			assert.GreaterOrEqual(t, pct, last, "the progress never goes back: %v", seen)
			last = pct
		}
		assert.Equal(t, 100, last)
		waitText(t, ctx, "#progress-summary", "Imported 150, invited 0, failed 1 of 151 rows.")
		step(t, ctx, chromedp.WaitVisible(css("#report-link")))
		assert.Equal(t, "100", eval[string](t, ctx, `String(document.getElementById("progress-bar").value)`))
		shotViewport(t, ctx, "add-multiple-progress-1280")
		step(t, ctx, chromedp.Click(css("#report-link")))
		var name string
		for _, e := range mustReadDir(t, downloads) {
			if strings.HasSuffix(e, ".csv") && e != "multiline-template.csv" {
				name = e
			}
		}
		if name == "" {
			name = waitNewCSV(t, downloads, "multiline-template.csv")
		}
		report := waitFile(t, downloads, name)
		lines := strings.Split(strings.TrimSpace(report), "\n")
		require.Len(t, lines, 152, "a header and one line per row")
		assert.True(t, strings.HasPrefix(lines[0], "row,"), lines[0])
		assert.Contains(t, lines[151], "failed")
		assert.Contains(t, lines[151], "social_messaging")
		step(t, ctx, chromedp.Click(css("#progress-close")), chromedp.WaitNotVisible(css("#progress")))
	})

	t.Run("the list filters and searches", func(t *testing.T) {
		step(t, ctx, chromedp.Navigate(base), selectRow("grace@demo.example"))
		shotViewport(t, ctx, "accounts-1280")
		step(t, ctx, chromedp.SendKeys(css("#f-q"), "hop"), chromedp.Click(css("#filters button")))
		waitRows(t, ctx, 1)
		assert.Equal(t, "Invited", rowCell(t, ctx, "grace@demo.example", 4))
		step(t, ctx, pick("#f-q", ""), pick("#f-status", "not_invited"),
			chromedp.Click(css("#filters button")))
		waitRows(t, ctx, 151) // alan and the 150 imported
		assert.Equal(t, "", rowCell(t, ctx, "grace@demo.example", 4))
	})

	t.Run("resend", func(t *testing.T) {
		step(t, ctx, chromedp.Navigate(base), selectRow("grace@demo.example"), chromedp.Click(css("#resend")))
		waitText(t, ctx, "#status", "Invitation sent again to 1 account(s).")
		step(t, ctx, chromedp.Navigate(base+"inbox"), chromedp.WaitVisible(css("main")))
		n := eval[int](t, ctx, `[...document.querySelectorAll(".message .to")].filter(e => e.textContent === "grace@demo.example").length`)
		assert.Equal(t, 2, n, "the first invitation and the resent one")
	})

	t.Run("move refused: the Move button is disabled with the refusal as its title", func(t *testing.T) {
		step(t, ctx, chromedp.Navigate(base), selectRow("grace@demo.example"),
			pick("#move-to", orgs["Support"]))
		step(t, ctx, until(`document.getElementById("move").title !== ""`))
		assert.Equal(t, moveRefusal, eval[string](t, ctx, `document.getElementById("move").title`))
		assert.True(t, eval[bool](t, ctx, `document.getElementById("move").disabled`))
		assert.Equal(t, moveRefusal, text(t, ctx, "#move-note"))
		assert.Equal(t, "Sales", rowCell(t, ctx, "grace@demo.example", 3))
		shotViewport(t, ctx, "accounts-move-refused-1280")
	})

	t.Run("move done", func(t *testing.T) {
		step(t, ctx, chromedp.Navigate(base), selectRow("alan@demo.example"),
			pick("#move-to", orgs["Support"]))
		step(t, ctx, until(`!document.getElementById("move").disabled`), chromedp.Click(css("#move")))
		waitText(t, ctx, "#status", "1 account(s) moved to Support.")
		assert.Equal(t, "Support", rowCell(t, ctx, "alan@demo.example", 3))
	})

	t.Run("undo a batch", func(t *testing.T) {
		step(t, ctx, chromedp.Navigate(base+"reports"), chromedp.WaitVisible(css("#batches")),
			pick("#r-org", orgs["Sales"]))
		step(t, ctx, until(`(() => {
				const tr = [...document.querySelectorAll("#batches tbody tr")].find(r => r.cells[2].textContent === "Finished");
				if (!tr) return false;
				tr.querySelector("button.undo").id = "undo-target";
				return true; })()`))
		shot(t, ctx, "reports-1280")
		step(t, ctx, chromedp.Click(css("#undo-target")))
		waitText(t, ctx, "#status", "Batch undone: 150 account(s) deleted, 0 kept (activated).")
		step(t, ctx, chromedp.Navigate(base), selectRow("grace@demo.example"))
		waitRows(t, ctx, 3) // grace, alan and kay
	})

	t.Run("activate from the link", func(t *testing.T) {
		step(t, ctx, chromedp.Navigate(base+"inbox"), chromedp.WaitVisible(css("main")))
		link := eval[string](t, ctx, `[...document.querySelectorAll(".message")].find(m => m.querySelector(".to").textContent === "grace@demo.example").querySelector("a.activation-link").href`)
		require.True(t, strings.HasPrefix(link, base+"activate/"), link)
		step(t, ctx, chromedp.Navigate(link), chromedp.WaitVisible(css("#shortlist")))
		choices := eval[[]string](t, ctx, `[...document.querySelectorAll("input[name=choice]")].map(e => e.value)`)
		require.GreaterOrEqual(t, len(choices), 2, "the short list")
		shot(t, ctx, "activation-1280")
		step(t, ctx, chromedp.Click(css(fmt.Sprintf(`input[value=%q]`, choices[1]))),
			chromedp.Click(css("#activate-button")), chromedp.WaitVisible(css("#done")))
		assert.Equal(t, "grace@demo.example", text(t, ctx, "#done-username"))
		assert.Equal(t, choices[1], text(t, ctx, "#done-number"))
		shot(t, ctx, "activation-done-1280")
		// The link is single-use.
		step(t, ctx, chromedp.Navigate(link), chromedp.WaitVisible(css("#activate-error")))
		assert.NotEmpty(t, text(t, ctx, "#activate-error"))
		step(t, ctx, chromedp.Navigate(base), selectRow("grace@demo.example"))
		assert.Equal(t, "Activated", rowCell(t, ctx, "grace@demo.example", 4))
	})

	t.Run("390 px wide", func(t *testing.T) {
		step(t, ctx, chromedp.EmulateViewport(390, 844), chromedp.Navigate(base), selectRow("grace@demo.example"))
		assert.False(t, eval[bool](t, ctx, `document.documentElement.scrollWidth > window.innerWidth`), "no sideways scrolling at 390 px")
		shotViewport(t, ctx, "accounts-390")
		step(t, ctx, chromedp.Navigate(base+"add"), chromedp.WaitVisible(css("#single")))
		assert.False(t, eval[bool](t, ctx, `document.documentElement.scrollWidth > window.innerWidth`), "no sideways scrolling at 390 px")
		shot(t, ctx, "add-single-390")
		step(t, ctx, chromedp.EmulateViewport(1280, 900))
	})
}

// pick sets the value of a field and fires its change event, as a choice
// in the browser does.
func pick(sel, value string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Evaluate[bool](fmt.Sprintf(`(() => { const e = document.querySelector(%q);
			e.value = %q; if (e.value !== %q) throw new Error("no such value " + %q);
			return e.dispatchEvent(new Event("change")); })()`, sel, value, value, value))(ctx, t)
		return err
	})
}

// waitRows waits until the list shows n rows.
func waitRows(t *testing.T, ctx context.Context, n int) {
	t.Helper()
	step(t, ctx, until(fmt.Sprintf(`document.querySelectorAll("#accounts tbody tr").length === %d`, n)))
}

func mustReadDir(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	require.NoError(t, err)
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}

// waitFile waits for a finished download and answers its content.
func waitFile(t *testing.T, dir, name string) string {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(filepath.Join(dir, name)); err == nil && len(b) > 0 {
			return string(b)
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("no download %s in %s (it has %v)", name, dir, mustReadDir(t, dir))
	return ""
}

// waitNewCSV waits for a finished .csv download other than except.
func waitNewCSV(t *testing.T, dir, except string) string {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		for _, e := range mustReadDir(t, dir) {
			if strings.HasSuffix(e, ".csv") && e != except {
				return e
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("no report download in %s (it has %v)", dir, mustReadDir(t, dir))
	return ""
}
