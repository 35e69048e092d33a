package admin

import (
	"context"
	"flag"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"policybot/internal/querylog"
)

// screenshot, when set, is where TestBrowser writes a PNG of the dashboard (the README's picture:
// go test ./internal/admin -run TestBrowser -screenshot ../../docs/admin-dashboard.png).
var screenshot = flag.String("screenshot", "", "write a PNG of the dashboard to this file")

// inCI reports whether the tests run in CI, where a missing browser is a failure, not a skip.
func inCI() bool {
	ci := os.Getenv("CI")
	return ci != "" && ci != "false" && ci != "0"
}

// browser starts headless Chromium for the test (POLICYBOT_TEST_CHROMIUM, else /usr/bin/chromium or
// chromium on PATH). Without one the test fails in CI and is skipped elsewhere.
func browser(t *testing.T) context.Context {
	t.Helper()
	path := os.Getenv("POLICYBOT_TEST_CHROMIUM")
	if path == "" {
		path = "/usr/bin/chromium"
		if _, err := os.Stat(path); err != nil {
			path, _ = exec.LookPath("chromium")
		}
	}
	if _, err := os.Stat(path); path == "" || err != nil {
		msg := "no Chromium (install Debian's chromium, as .ci/run does, or set POLICYBOT_TEST_CHROMIUM)"
		if inCI() {
			t.Fatal(msg)
		}
		t.Skip(msg + " (skipped outside CI)")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.UserDataDir(t.TempDir()), // a fresh profile each run
		chromedp.WindowSize(1360, 1000),
	}
	opts = append(opts, chromedp.DefaultExecAllocatorOptions[:]...)
	opts = append(opts,
		chromedp.NoSandbox, // Chromium's sandbox will not start as root
		chromedp.DisableGPU,
		// This machine's network is closed: no background connections, updates or QUIC.
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("lang", "zh-CN"),
	)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	// Start the browser now, without a deadline (a deadline on the first run ends the browser).
	if err := chromedp.Do(ctx); err != nil {
		if inCI() {
			t.Fatalf("start %s: %v", path, err)
		}
		t.Skipf("start %s: %v (skipped outside CI)", path, err)
	}
	return ctx
}

// tab opens a browser tab for the test, for two minutes at most: run performs steps, eval evaluates
// a JavaScript expression to a string; either fails the test at the first error.
func tab(t *testing.T) (ctx context.Context, run func(what string, steps ...chromedp.Action[chromedp.Void]), eval func(expr string) string) {
	ctx, cancel := context.WithTimeout(browser(t), 2*time.Minute)
	t.Cleanup(cancel)
	run = func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	eval = func(expr string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		return v
	}
	return ctx, run, eval
}

func TestBrowser(t *testing.T) {
	srv, s, n := newSeeded(t)
	ctx, run, eval := tab(t)

	// eventually evaluates a condition until it holds, through navigations; the test's deadline
	// bounds it.
	eventually := func(what, expr string) {
		t.Helper()
		for {
			ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
			if err == nil && ok {
				return
			}
			if ctx.Err() != nil {
				t.Fatalf("gave up waiting for %s (%s): %v", what, expr, err)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}

	// Without a session the browser gets the login form; logging in shows the dashboard.
	run("open the page", chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(chromedp.ID("token")))
	run("log in",
		chromedp.SendKeys(chromedp.ID("token"), testToken),
		chromedp.Submit(chromedp.ID("token")),
		chromedp.WaitVisible(chromedp.ID("daily-chart")),
	)
	if c := eval(`document.cookie`); strings.Contains(c, cookieName) {
		t.Errorf("the session cookie is readable by scripts: %q", c)
	}

	// The chart: a bar per day, drawn with a size, bars for the days with questions, the share line.
	chart := eval(`(() => {
		const svg = document.getElementById('daily-chart'), box = svg.getBoundingClientRect();
		const bars = [...svg.querySelectorAll('rect.bar')];
		const drawn = bars.filter(b => b.getBBox().height > 0).length;
		const line = svg.querySelector('polyline.share');
		return [bars.length, drawn, Math.round(box.width) > 300 && Math.round(box.height) > 100,
			line ? line.points.numberOfItems : 0].join(' ');
	})()`)
	if chart != "30 30 true 30" {
		t.Errorf("chart: bars, bars drawn, has a size, line points = %q, want \"30 30 true 30\"", chart)
	}

	// The table: a page of questions, the total, the figures.
	table := eval(`[document.querySelectorAll('#questions-table tbody tr').length,
		document.getElementById('total').textContent,
		document.querySelector('#stats-week .questions').textContent].join('|')`)
	wantRows := min(n, pageSize)
	sum, err := s.Summary(context.Background(), seedNow, cst)
	if err != nil {
		t.Fatal(err)
	}
	if want := strconv.Itoa(wantRows) + "|共 " + strconv.Itoa(n) + " 条|" + strconv.Itoa(sum.Week.Questions); table != want {
		t.Errorf("table: %q, want %q", table, want)
	}

	if *screenshot != "" {
		// The top of the page: figures, chart, queues and the first rows of the table.
		run("size the window", chromedp.EmulateViewport(1360, 1640))
		png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(*screenshot, png, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// Searching in traditional script finds the simplified wording too, and only matching rows.
	run("search",
		chromedp.SetValue(chromedp.CSS(`input[name=q]`), "失業金"),
		chromedp.Submit(chromedp.CSS(`input[name=q]`)),
		// The page the server sends back has the search in the field's attribute.
		chromedp.WaitVisible(chromedp.CSS(`input[name=q][value="失業金"]`)),
	)
	found := eval(`[...document.querySelectorAll('#questions-table tbody td.question summary')].map(td => td.textContent).join('\n')`)
	if found == "" {
		t.Fatal("search found nothing")
	}
	for _, q := range strings.Split(found, "\n") {
		if !strings.Contains(q, "失业金") && !strings.Contains(q, "失業金") {
			t.Errorf("search for 失業金 shows %q", q)
		}
	}

	// The figures count related and none apart; the table's verdict filter keeps one of them.
	split := eval(`[...document.querySelectorAll('#stats-week dd.related, #stats-week dd.none')].map(dd => dd.textContent).join('|')`)
	share := func(n int) string {
		return strconv.Itoa(n) + " " + strconv.FormatFloat(100*float64(n)/float64(sum.Week.Questions), 'f', 0, 64) + "%"
	}
	if want := share(sum.Week.Related) + "|" + share(sum.Week.None); split != want || sum.Week.Related == 0 || sum.Week.None == 0 {
		t.Errorf("the week's related and none: %q, want %q", split, want)
	}
	run("filter by verdict",
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`select[name=verdict]`)),
		chromedp.SetValue(chromedp.CSS(`select[name=verdict]`), "none"),
		chromedp.Submit(chromedp.CSS(`select[name=verdict]`)),
	)
	// The page the server sends back has the filter chosen.
	eventually("the page filtered by verdict", `document.readyState === 'complete' && !!document.querySelector('select[name=verdict] option[value=none][selected]')`)
	verdicts := eval(`[...document.querySelectorAll('#questions-table tbody td.verdict[data-label]')].map(td => td.textContent).join('\n')`)
	_, none, _ := s.Find(context.Background(), querylog.Filter{Verdict: "none"}, 0, 1)
	if got := strings.Split(verdicts, "\n"); none == 0 || len(got) != min(none, pageSize) || strings.Trim(verdicts, "未能回答\n") != "" {
		t.Errorf("the none filter shows %d rows of %d none: %q", len(got), none, verdicts)
	}

	// Marking a gap resolved takes it off the queue.
	before := eval(`document.querySelector('#unanswered tbody tr td.question summary').textContent`)
	run("resolve",
		chromedp.Click(chromedp.CSS(`#unanswered tbody tr button`)),
	)
	eventually("the page after resolving", `location.hash === '#unanswered' && !location.search && document.readyState === 'complete'`)
	after := eval(`[...document.querySelectorAll('#unanswered tbody td.question summary')].map(td => td.textContent).join('\n')`)
	if strings.Contains("\n"+after+"\n", "\n"+before+"\n") {
		t.Errorf("%q is still in the queue after it was resolved:\n%s", before, after)
	}
}

// phoneShot, when set, is where TestBrowserPhone writes a PNG of the page at a phone's width.
var phoneShot = flag.String("phone-screenshot", "", "write a PNG of the dashboard on a phone to this file")

// TestBrowserPhone loads the dashboard over a month's log at a phone's width (390×844 CSS pixels, as
// an iPhone 12–15) with every question opened to its answer, and checks that nothing scrolls
// sideways, that each table's rows are cards with their buttons inside, and that questions get the
// width of the card to be read in.
func TestBrowserPhone(t *testing.T) {
	srv, _, _ := newSeeded(t)
	ctx, run, eval := tab(t)
	run("a phone's screen", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulateScale(3)))
	run("open the page", chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(chromedp.ID("token")))
	if wide := eval(`document.documentElement.scrollWidth > window.innerWidth ? 'the login form is ' + document.documentElement.scrollWidth + ' px wide' : ''`); wide != "" {
		t.Error(wide)
	}
	run("log in",
		chromedp.SendKeys(chromedp.ID("token"), testToken),
		chromedp.Submit(chromedp.ID("token")),
		chromedp.WaitVisible(chromedp.ID("daily-chart")),
	)
	if w := eval(`String(window.innerWidth)`); w != "390" {
		t.Fatalf("the page is laid out %s px wide, not a phone's 390", w)
	}
	// Every question opened to what the bot answered: the widest the page gets.
	if n := eval(`(() => { const ds = document.querySelectorAll('details.answered'); ds.forEach(d => d.open = true); return String(ds.length); })()`); n == "0" {
		t.Fatal("no question opens to its answer")
	}

	for _, tc := range []struct {
		name, expr string
	}{
		{"no sideways scroll", `document.documentElement.scrollWidth <= window.innerWidth && document.body.scrollWidth <= window.innerWidth ? ''
			: 'the page is ' + document.documentElement.scrollWidth + ' px wide'`},
		{"nothing sticks out on the right", `[...document.querySelectorAll('body *')].filter(e => {
				const r = e.getBoundingClientRect();
				return r.width > 0 && r.right > window.innerWidth + 0.5;
			}).slice(0, 5).map(e => e.tagName + '.' + e.className + ' right ' + Math.round(e.getBoundingClientRect().right)).join('; ')`},
		{"rows are cards", `[...document.querySelectorAll('table.cards')].filter(t =>
				getComputedStyle(t.querySelector('thead')).display !== 'none' ||
				[...t.querySelectorAll('tbody tr')].some(tr => getComputedStyle(tr).display === 'table-row')
			).map(t => t.closest('section').id || 'a table').join('; ')`},
		{"buttons inside their cards", `[...document.querySelectorAll('main button')].filter(b => {
				const card = b.closest('table.cards tr') || b.closest('.card') || b.closest('form');
				const r = b.getBoundingClientRect(), c = card.getBoundingClientRect();
				return r.width === 0 || r.left < c.left - 0.5 || r.right > c.right + 0.5 || r.top < c.top - 0.5 || r.bottom > c.bottom + 0.5;
			}).map(b => b.textContent + ' in ' + (b.closest('section') || {}).id).slice(0, 5).join('; ')`},
		{"questions get the card's width", `[...document.querySelectorAll('td.question')].filter(td => {
				const card = td.closest('tr').getBoundingClientRect();
				return td.getBoundingClientRect().width < 0.8 * card.width || card.width < 300;
			}).map(td => td.textContent.slice(0, 20) + ' ' + Math.round(td.getBoundingClientRect().width) + 'px').slice(0, 5).join('; ')`},
		{"every resolve button shown", `document.querySelectorAll('#unanswered button').length > 0 &&
			[...document.querySelectorAll('#unanswered button')].every(b => b.getBoundingClientRect().height > 10) ? '' : 'hidden buttons'`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if bad := eval(tc.expr); bad != "" {
				t.Error(bad)
			}
		})
	}
	// What the bot answered shows by title, on the phone as on a desk.
	if reply := eval(`document.querySelector('#unanswered details.answered .reply').textContent`); !strings.Contains(reply, "判断") {
		t.Errorf("the first gap's answer: %q", reply)
	}
	if *phoneShot != "" {
		// Two screens from the unanswered queue down: its cards, opened.
		run("two screens", chromedp.EmulateViewport(390, 1600, chromedp.EmulateMobile, chromedp.EmulateScale(1)))
		eval(`(() => { window.scrollTo(0, document.getElementById('unanswered').offsetTop); return ''; })()`)
		png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(*phoneShot, png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
