package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/netip"
	"os"
	"strings"
	"time"

	"policybot/handlers"
	"policybot/internal/admin"
	"policybot/internal/querylog"
)

// logUsage is the help text of "policybot logs".
const logUsage = `Usage:
  policybot logs stats  [--json]                                       today's and the last 7 days' figures
  policybot logs export [--since DAY] [--until DAY] [--format csv|jsonl] [--out FILE]
                                                                       the questions of a date range (days inclusive)
  policybot logs purge  [--log-retention DAYS]                         delete questions older than DAYS (default 180)

Every logs command takes --data DIR (the log is DIR/querylog.db) or --log-db postgres://… (default:
$POLICYBOT_LOG_DB). Days are YYYY-MM-DD in the local time zone (set TZ, e.g. TZ=Asia/Shanghai).
`

// logConfig is where the query log is and how long it keeps questions.
type logConfig struct {
	DB        string // PostgreSQL URL or SQLite path; "" for DATA/querylog.db
	Retention int    // days
}

// logFlags binds the query-log flags (shared by serve and logs) to lc.
func logFlags(fs *flag.FlagSet, e *env, lc *logConfig) {
	fs.StringVar(&lc.DB, "log-db", e.getenv("POLICYBOT_LOG_DB"), "query log: postgres://user:pass@host/db for replicas, or an SQLite file (default: DATA/querylog.db; env POLICYBOT_LOG_DB)")
	fs.IntVar(&lc.Retention, "log-retention", int(querylog.DefaultRetention.Hours()/24), "days the query log keeps questions")
}

// retention is lc's retention as a duration; it returns a usage error for fewer than one day.
func (lc logConfig) retention() (time.Duration, error) {
	if lc.Retention < 1 {
		return 0, fmt.Errorf("%w: --log-retention must be at least 1 day", errUsage)
	}
	return time.Duration(lc.Retention) * 24 * time.Hour, nil
}

// openLogStore opens the query log lc names, or the one in the data folder. With existing, an
// SQLite log that is not there is an error rather than a new, empty log.
func openLogStore(ctx context.Context, e *env, cfg Config, lc logConfig, existing bool) (*querylog.Store, error) {
	target := lc.DB
	if target == "" {
		target = querylog.Path(cfg.Data)
	}
	if existing && !querylog.IsPostgres(target) {
		if _, err := os.Stat(target); err != nil {
			return nil, fmt.Errorf("no query log at %s (the bot writes it; see --data and --log-db)", target)
		}
	}
	return querylog.Open(ctx, target, querylog.Options{Logger: e.log})
}

// startQueryLog opens the query log for serve: the store, its write path (observed by obs, the
// metrics) and the daily purge, which runs until ctx ends. Replicas sharing a PostgreSQL log must
// share their pseudonymisation key, so with --log-db postgres://… POLICYBOT_LOG_SECRET is required.
// The caller closes the write path, then the store, when it shuts down.
func startQueryLog(ctx context.Context, e *env, cfg Config, lc logConfig, obs querylog.Observer) (*querylog.Store, *querylog.Log, error) {
	store, qlog, keep, err := openQueryLog(ctx, e, cfg, lc, obs)
	if err != nil {
		return nil, nil, err
	}
	go store.Retain(ctx, keep, 24*time.Hour)
	return store, qlog, nil
}

// openQueryLog opens the query log and its write path as startQueryLog does, without the daily
// purge, and returns the retention.
func openQueryLog(ctx context.Context, e *env, cfg Config, lc logConfig, obs querylog.Observer) (*querylog.Store, *querylog.Log, time.Duration, error) {
	keep, err := lc.retention()
	if err != nil {
		return nil, nil, 0, err
	}
	envSecret := e.getenv("POLICYBOT_LOG_SECRET")
	if querylog.IsPostgres(lc.DB) && envSecret == "" {
		return nil, nil, 0, errors.New("query log: --log-db postgres://… is shared by replicas, so they need one pseudonymisation key: set POLICYBOT_LOG_SECRET")
	}
	secret, err := querylog.Secret(cfg.Data, envSecret)
	if err != nil {
		return nil, nil, 0, err
	}
	store, err := openLogStore(ctx, e, cfg, lc, false)
	if err != nil {
		return nil, nil, 0, err
	}
	return store, querylog.NewLog(store, secret, querylog.LogOptions{Observer: obs, Logger: e.log}), keep, nil
}

// adminServer returns the admin page's server on addr (--admin-addr), or nil when addr is empty:
// the page is off unless asked for. It fails when POLICYBOT_ADMIN_TOKEN is not set or too short.
// ready, when set, is what /healthz checks; status, when set, names the corpus version and the
// index served (for /healthz and /metrics); titles, when set, names documents by id for questions
// logged before the log kept titles.
func adminServer(e *env, addr string, proxies []netip.Prefix, store *querylog.Store, m *admin.Metrics, ready func(context.Context) error,
	status func() (corpus, index string), titles func(docID string) string) (*http.Server, error) {
	if addr == "" {
		return nil, nil
	}
	h, err := admin.New(admin.Config{Token: e.getenv(envAdminToken), Store: store, Metrics: m,
		Logger: e.log, Ready: ready, Status: status, TrustedProxies: proxies, Titles: titles})
	if err != nil {
		return nil, fmt.Errorf("--admin-addr %s: %w", addr, err)
	}
	return &http.Server{Addr: addr, Handler: h, ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: time.Minute, IdleTimeout: 2 * time.Minute}, nil
}

// parseProxies reads --admin-proxies: addresses or CIDR ranges separated by commas or spaces, or
// "none".
func parseProxies(s string) ([]netip.Prefix, error) {
	out := []netip.Prefix{}
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		if f == "none" {
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			a, aerr := netip.ParseAddr(f)
			if aerr != nil {
				return nil, fmt.Errorf("%q is not an address or CIDR range", f)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// cmdLogs is "policybot logs": the query log on the command line.
func cmdLogs(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, logUsage)
		return errUsage
	}
	switch args[0] {
	case "stats":
		return cmdLogStats(ctx, e, args[1:])
	case "export":
		return cmdLogExport(ctx, e, args[1:])
	case "purge":
		return cmdLogPurge(ctx, e, args[1:])
	case "help", "-h", "--help":
		fmt.Fprint(e.stdout, logUsage)
		return nil
	}
	fmt.Fprintf(e.stderr, "unknown logs command %q\n\n%s", args[0], logUsage)
	return errUsage
}

// logFlagSet is the flag set of a logs subcommand.
func logFlagSet(name string, e *env, cfg *Config, lc *logConfig) *flag.FlagSet {
	fs := flags("logs "+name, e, cfg)
	logFlags(fs, e, lc)
	return fs
}

func cmdLogStats(ctx context.Context, e *env, args []string) error {
	var cfg Config
	var lc logConfig
	fs := logFlagSet("stats", e, &cfg, &lc)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(e, fs, args, &cfg); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: logs stats takes no arguments", errUsage)
	}
	store, err := openLogStore(ctx, e, cfg, lc, true)
	if err != nil {
		return err
	}
	defer store.Close()
	sum, err := store.Summary(ctx, time.Now(), time.Local)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(e.stdout, map[string]statsJSON{"today": toStatsJSON(sum.Today), "last_7_days": toStatsJSON(sum.Week)})
	}
	for _, p := range []struct {
		name string
		s    querylog.Stats
	}{{"今天", sum.Today}, {"最近7天", sum.Week}} {
		s := p.s
		first, last := s.From.Format(time.DateOnly), s.To.AddDate(0, 0, -1).Format(time.DateOnly)
		if first == last {
			fmt.Fprintf(e.stdout, "%s（%s）\n", p.name, first)
		} else {
			fmt.Fprintf(e.stdout, "%s（%s 至 %s）\n", p.name, first, last)
		}
		answered := s.Questions - s.NotConfident
		fmt.Fprintf(e.stdout, "  问题 %d，提问人数 %d，%s👍 %d，%s👎 %d，耗时 p50 %v，p95 %v\n",
			s.Questions, s.Users, handlers.RatingName(1), s.Up, handlers.RatingName(-1), s.Down,
			s.P50.Round(time.Millisecond), s.P95.Round(time.Millisecond))
		fmt.Fprintf(e.stdout, "  %s %d（%s），%s %d（%s），%s %d（%s）\n",
			handlers.NameAnswer, answered, share(answered, s.Questions), handlers.NameRelated, s.Related,
			share(s.Related, s.Questions), handlers.NameNone, s.None, share(s.None, s.Questions))
		fmt.Fprintf(e.stdout, "  %s：%s\n  %s：%s\n", handlers.LabelRegion, counts(s.Regions, nil),
			handlers.LabelIntent, counts(s.Intents, handlers.IntentName))
	}
	return nil
}

// share is n as a percentage of total.
func share(n, total int) string {
	if total == 0 {
		return "0%"
	}
	return fmt.Sprintf("%.0f%%", 100*float64(n)/float64(total))
}

// statsJSON is how "logs stats --json" prints a period. not_confident is related and none together,
// as it was before the two were told apart.
type statsJSON struct {
	From         string         `json:"from"`
	To           string         `json:"to"`
	Questions    int            `json:"questions"`
	Users        int            `json:"users"`
	Answer       int            `json:"answer"`
	Related      int            `json:"related"`
	None         int            `json:"none"`
	NotConfident int            `json:"not_confident"`
	Up           int            `json:"up"`
	Down         int            `json:"down"`
	P50MS        int64          `json:"p50_ms"`
	P95MS        int64          `json:"p95_ms"`
	Regions      map[string]int `json:"regions"`
	Intents      map[string]int `json:"intents"`
}

func toStatsJSON(s querylog.Stats) statsJSON {
	out := statsJSON{From: s.From.Format(time.RFC3339), To: s.To.Format(time.RFC3339), Questions: s.Questions,
		Users: s.Users, Answer: s.Questions - s.NotConfident, Related: s.Related, None: s.None,
		NotConfident: s.NotConfident, Up: s.Up, Down: s.Down, P50MS: s.P50.Milliseconds(),
		P95MS: s.P95.Milliseconds(), Regions: map[string]int{}, Intents: map[string]int{}}
	for _, c := range s.Regions {
		out.Regions[c.Name] = c.N
	}
	for _, c := range s.Intents {
		out.Intents[c.Name] = c.N
	}
	return out
}

// counts lists counts as "name N、name N", each name through name when it is not nil; 无 when
// there are none.
func counts(cs []querylog.Count, name func(string) string) string {
	if len(cs) == 0 {
		return "无"
	}
	parts := make([]string, len(cs))
	for i, c := range cs {
		n := c.Name
		if name != nil {
			n = name(n)
		}
		parts[i] = fmt.Sprintf("%s %d", n, c.N)
	}
	return strings.Join(parts, "、")
}

func cmdLogExport(ctx context.Context, e *env, args []string) error {
	var cfg Config
	var lc logConfig
	fs := logFlagSet("export", e, &cfg, &lc)
	since := fs.String("since", "", "first day, YYYY-MM-DD (default: the oldest question)")
	until := fs.String("until", "", "last day, YYYY-MM-DD, included (default: today)")
	format := fs.String("format", querylog.CSV, "csv (UTF-8 with BOM, for Excel) or jsonl")
	out := fs.String("out", "", "write to this file instead of standard output")
	if err := parse(e, fs, args, &cfg); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: logs export takes no arguments", errUsage)
	}
	if *format != querylog.CSV && *format != querylog.JSONL {
		return fmt.Errorf("%w: --format must be csv or jsonl", errUsage)
	}
	var f querylog.Filter
	for _, d := range []struct {
		flag, value string
		to          *time.Time
		next        bool
	}{{"--since", *since, &f.From, false}, {"--until", *until, &f.To, true}} {
		if d.value == "" {
			continue
		}
		t, err := time.ParseInLocation(time.DateOnly, d.value, time.Local)
		if err != nil {
			return fmt.Errorf("%w: %s %q is not a day (YYYY-MM-DD)", errUsage, d.flag, d.value)
		}
		if d.next {
			t = t.AddDate(0, 0, 1)
		}
		*d.to = t
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		return fmt.Errorf("%w: --since is after --until", errUsage)
	}
	store, err := openLogStore(ctx, e, cfg, lc, true)
	if err != nil {
		return err
	}
	defer store.Close()
	if *out == "" {
		return store.Export(ctx, e.stdout, f, *format, time.Local)
	}
	// An export holds citizens' questions: for its owner's eyes only.
	file, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if err := store.Export(ctx, file, f, *format, time.Local); err != nil {
		file.Close()
		return err
	}
	if err := file.Close(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}

func cmdLogPurge(ctx context.Context, e *env, args []string) error {
	var cfg Config
	var lc logConfig
	fs := logFlagSet("purge", e, &cfg, &lc)
	if err := parse(e, fs, args, &cfg); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: logs purge takes no arguments", errUsage)
	}
	keep, err := lc.retention()
	if err != nil {
		return err
	}
	store, err := openLogStore(ctx, e, cfg, lc, true)
	if err != nil {
		return err
	}
	defer store.Close()
	cutoff := time.Now().Add(-keep)
	p, err := store.Purge(ctx, cutoff)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "purged %d questions asked before %s, %d resolution marks, %d expired button states\n",
		p.Questions, cutoff.Format(time.DateTime), p.Resolved, p.States)
	return nil
}

// title is the title of document id in the live index, "" when it holds no such document.
func (s *services) title(id string) string {
	if d := s.live.Document(id); d != nil {
		return d.Title
	}
	return ""
}

// renameRegions renames the regions of questions logged as people say them (铜仁) to the names the
// corpus gives them (铜仁市), as questions are logged now (handlers.CorpusRegion), so that the figures
// count each region once. It runs when serve or chat starts, before any question is answered; a
// failure is logged and the bot starts all the same.
func (s *services) renameRegions(ctx context.Context, e *env) {
	if s.store == nil {
		return
	}
	var regions []string
	for _, d := range s.live.Documents() {
		if d.Region != "" {
			regions = append(regions, d.Region)
		}
	}
	n, err := s.store.RenameRegions(ctx, func(r string) string { return handlers.CorpusRegion(r, regions) })
	switch {
	case err != nil:
		e.log.Warn("the regions of earlier questions could not be named as the corpus names them", "err", err)
	case n > 0:
		e.log.Info("named the regions of earlier questions as the corpus names them", "questions", n)
	}
}
