package admin

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"policybot/handlers"
	"policybot/index"
	"policybot/internal/querylog"
)

// The page's sizes.
const (
	chartDays = 30 // days in the chart
	gapDays   = 30 // how far back the unanswered queue looks
	gapLimit  = 20
	topLimit  = 10
	pageSize  = 50
)

// dashboardPage is what the dashboard shows.
type dashboardPage struct {
	Now     time.Time
	Summary querylog.Summary
	Chart   chart
	Gaps    []querylog.Group
	Top     []querylog.Group
	Form    filterForm
	Errors  []string // problems with the filter the admin typed
	Rows    []querylog.Row
	Total   int
	Page    int // from 1
	Pages   int
	Prev    string // URL of the previous page of the table, "" on the first
	Next    string // URL of the next page, "" on the last
	CSV     string // URL of the table's questions as CSV
	JSONL   string
	Intents []string
	Regions []string
}

// filterForm is the table's filter as the admin typed it. Confident (yes or no) is what the form
// had before verdicts; a link that still carries it keeps working.
type filterForm struct {
	Q, From, To, Intent, Region, Verdict, Confident, Rating string
}

// filter reads the table's filter from the URL's query; errs says what was not understood (that
// part is ignored).
func (s *server) filter(q url.Values) (querylog.Filter, filterForm, []string) {
	form := filterForm{Q: q.Get("q"), From: q.Get("from"), To: q.Get("to"), Intent: q.Get("intent"),
		Region: q.Get("region"), Verdict: q.Get("verdict"), Confident: q.Get("confident"), Rating: q.Get("rating")}
	f := querylog.Filter{Text: form.Q, Intent: form.Intent, Region: form.Region}
	var errs []string
	if form.From != "" {
		if t, err := time.ParseInLocation(time.DateOnly, form.From, s.Location); err == nil {
			f.From = t
		} else {
			errs = append(errs, fmt.Sprintf("起始日期 %q 不是 年-月-日", form.From))
		}
	}
	if form.To != "" {
		if t, err := time.ParseInLocation(time.DateOnly, form.To, s.Location); err == nil {
			f.To = t.AddDate(0, 0, 1) // the last day is included
		} else {
			errs = append(errs, fmt.Sprintf("结束日期 %q 不是 年-月-日", form.To))
		}
	}
	switch index.Verdict(form.Verdict) {
	case "", index.VerdictAnswer, index.VerdictRelated, index.VerdictNone:
		f.Verdict = form.Verdict
	default:
		errs = append(errs, "判断只能是 answer、related 或 none")
	}
	switch form.Confident {
	case "", "yes", "no":
		f.Confident = form.Confident
	default:
		errs = append(errs, "确切与否只能是 yes 或 no")
	}
	switch form.Rating {
	case "", "up", "down", "none":
		f.Rating = form.Rating
	default:
		errs = append(errs, "评价只能是 up、down 或 none")
	}
	if len(f.Text) > 200 {
		f.Text = f.Text[:200]
	}
	return f, form, errs
}

func (s *server) dashboard(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	now := s.Clock()
	q := r.URL.Query()
	f, form, errs := s.filter(q)
	p := dashboardPage{Now: now, Form: form, Errors: errs, Page: 1}
	if n, err := strconv.Atoi(q.Get("page")); err == nil && n > 1 {
		p.Page = n
	}
	var err error
	if p.Summary, err = s.Store.Summary(ctx, now, s.Location); err != nil {
		s.fail(w, "summary", err)
		return
	}
	days, err := s.Store.Daily(ctx, now, chartDays, s.Location)
	if err != nil {
		s.fail(w, "daily", err)
		return
	}
	p.Chart = newChart(days)
	from, _ := querylog.LastDays(now, gapDays, s.Location)
	if p.Gaps, err = s.Store.Unanswered(ctx, from, gapLimit); err != nil {
		s.fail(w, "unanswered", err)
		return
	}
	weekFrom, weekTo := querylog.LastDays(now, 7, s.Location)
	if p.Top, err = s.Store.Top(ctx, weekFrom, weekTo, topLimit); err != nil {
		s.fail(w, "top", err)
		return
	}
	if p.Rows, p.Total, err = s.Store.Find(ctx, f, (p.Page-1)*pageSize, pageSize); err != nil {
		s.fail(w, "find", err)
		return
	}
	if p.Intents, p.Regions, err = s.Store.Choices(ctx, now.AddDate(0, 0, -90)); err != nil {
		s.fail(w, "choices", err)
		return
	}
	p.Pages = max(1, (p.Total+pageSize-1)/pageSize)
	link := func(path string, set map[string]string) string {
		v := url.Values{}
		for k, x := range map[string]string{"q": form.Q, "from": form.From, "to": form.To, "intent": form.Intent,
			"region": form.Region, "verdict": form.Verdict, "confident": form.Confident, "rating": form.Rating} {
			if x != "" {
				v.Set(k, x)
			}
		}
		for k, x := range set {
			v.Set(k, x)
		}
		if len(v) == 0 {
			return path
		}
		return path + "?" + v.Encode()
	}
	if p.Page > 1 {
		p.Prev = link("/", map[string]string{"page": strconv.Itoa(p.Page - 1)}) + "#questions"
	}
	if p.Page < p.Pages {
		p.Next = link("/", map[string]string{"page": strconv.Itoa(p.Page + 1)}) + "#questions"
	}
	p.CSV = link("/export", map[string]string{"format": querylog.CSV})
	p.JSONL = link("/export", map[string]string{"format": querylog.JSONL})
	s.render(w, http.StatusOK, "dashboard", p)
}

// export sends the questions the table's filter selects (all of them, not one page) as a CSV or
// JSONL download.
func (s *server) export(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f, _, errs := s.filter(q)
	if len(errs) > 0 {
		http.Error(w, "400 "+strings.Join(errs, "；"), http.StatusBadRequest)
		return
	}
	format := q.Get("format")
	ctype := map[string]string{querylog.CSV: "text/csv; charset=utf-8", querylog.JSONL: "application/jsonl; charset=utf-8"}[format]
	if ctype == "" {
		http.Error(w, "400 format 只能是 csv 或 jsonl", http.StatusBadRequest)
		return
	}
	name := "policybot-questions-" + s.Clock().In(s.Location).Format("20060102-150405") + "." + format
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	if err := s.Store.Export(r.Context(), w, f, format, s.Location); err != nil {
		// Part of the file may have gone out already; the log says why it stopped.
		s.Logger.Error("admin export failed", "err", err)
	}
}

// funcs are the templates' helpers.
func funcs(loc *time.Location, titles func(docID string) string) template.FuncMap {
	return template.FuncMap{
		"pct": func(x float64) string { return strconv.FormatFloat(100*x, 'f', 0, 64) + "%" },
		// share is n as a share of total.
		"share": func(n, total int) string {
			if total == 0 {
				return "–"
			}
			return strconv.FormatFloat(100*float64(n)/float64(total), 'f', 0, 64) + "%"
		},
		// verdict names a verdict as the chat and the command line name it.
		"verdict": func(v index.Verdict) string { return handlers.VerdictName(v) },
		"verdicts": func() []index.Verdict {
			return []index.Verdict{index.VerdictAnswer, index.VerdictRelated, index.VerdictNone}
		},
		"dur": func(d time.Duration) string {
			switch {
			case d == 0:
				return "–"
			case d < time.Second:
				return strconv.FormatInt(d.Milliseconds(), 10) + " ms"
			default:
				return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + " s"
			}
		},
		"when": func(t time.Time) string { return t.In(loc).Format("01-02 15:04") },
		"day":  func(t time.Time) string { return t.In(loc).Format("2006-01-02") },
		// intent and rating name them as everywhere else (handlers' names).
		"intent": handlers.IntentName,
		"rating": handlers.RatingName,
		"dict": func(kv ...any) (map[string]any, error) {
			if len(kv)%2 != 0 {
				return nil, fmt.Errorf("dict: odd number of arguments")
			}
			m := map[string]any{}
			for i := 0; i < len(kv); i += 2 {
				k, ok := kv[i].(string)
				if !ok {
					return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
				}
				m[k] = kv[i+1]
			}
			return m, nil
		},
		// label names what a column or filter shows, as everywhere else.
		"label": func(what string) (string, error) {
			switch what {
			case "intent":
				return handlers.LabelIntent, nil
			case "verdict":
				return handlers.LabelVerdict, nil
			case "region":
				return handlers.LabelRegion, nil
			case "rating":
				return handlers.LabelRating, nil
			}
			return "", fmt.Errorf("label: unknown %q", what)
		},
		// title names a result's document: the title the log kept, else (a question logged before
		// titles were kept) the title the index knows now, else the document id.
		"title": func(x handlers.LogResult) string {
			if x.Title != "" {
				return x.Title
			}
			if titles != nil {
				if t := titles(x.DocID); t != "" {
					return t
				}
			}
			return x.DocID
		},
		// first3 are the first passages shown, as the citizen saw them first.
		"first3": func(rs []handlers.LogResult) []handlers.LogResult { return rs[:min(len(rs), 3)] },
	}
}
