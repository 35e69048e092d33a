package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/schollz/progressbar/v3"

	"policybot/corpus"
	"policybot/handlers"
	"policybot/index"
	"policybot/internal/audit"
	"policybot/internal/eval"
)

const docsUsage = `Usage:
  policybot docs add [--title T --issuer I --region R --date D --kind K --number N --url U] [--replace ID] FILE...
  policybot docs list [--json]
  policybot docs show ID
  policybot docs edit [--title T --issuer I --region R --date D --kind K --number N --url U]
                      [--status in-force|repealed|superseded] [--superseded-by ID] ID
  policybot docs remove ID
  policybot docs restore ID
  policybot docs purge
Flags come before the files or the id. Run "policybot reindex" to make changes searchable.
`

// AuditFile is the audit trail's file in the data folder.
const AuditFile = "audit.jsonl"

// newStaff wires the staff operations for the command line.
func newStaff(ctx context.Context, e *env, cfg Config) *handlers.Staff {
	s := &handlers.Staff{
		Folder:   corpusOf(ctx, e, cfg),
		DataDir:  cfg.Data,
		UserDict: cfg.UserDict(),
		Synonyms: cfg.Synonyms(),
		Audit:    audit.New(filepath.Join(cfg.Data, AuditFile)),
		Log:      e.log,
		LockWait: 5 * time.Second,
		Pause:    pauseHook(ctx, e, "reindex"),
	}
	if cfg.store != nil {
		// The audit trail is kept with the corpus, in the store.
		s.Audit = cfg.store
	}
	os.MkdirAll(cfg.Data, 0o755)
	return s
}

// reindexHint is what to do after a change to the corpus: reindex (the folder's hint), or, with a
// store, nothing: the replicas following it update their indexes.
func reindexHint(cfg Config, folder string) string {
	if cfg.store == nil {
		return folder
	}
	v := cfg.store.Mirrored()
	return fmt.Sprintf("The store is at version %d; replicas following it (serve --store) update their indexes within seconds.", v)
}

// corpusOf is the corpus staff change: the store when cfg has one, else the corpus folder.
func corpusOf(ctx context.Context, e *env, cfg Config) handlers.Corpus {
	if cfg.store != nil {
		return cfg.store
	}
	return &corpus.Folder{Dir: cfg.Corpus, Skip: cfg.Skip, Pause: pauseHook(ctx, e, "corpus")}
}

// pauseHook is the test hook of the kill -9 tests: with POLICYBOT_TEST_PAUSE=PART:STEP (e.g.
// reindex:built, corpus:committed) the run stops at that step, says so on stderr, and waits there until
// it is killed or interrupted.
func pauseHook(ctx context.Context, e *env, part string) func(string) {
	want := e.getenv("POLICYBOT_TEST_PAUSE")
	if want == "" {
		return nil
	}
	return func(step string) {
		if part+":"+step != want {
			return
		}
		fmt.Fprintf(e.stderr, "paused at %s:%s (pid %d)\n", part, step, os.Getpid())
		<-ctx.Done()
	}
}

// actor is the person running the command, by OS user name.
func actor(e *env) handlers.Actor {
	name := ""
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	if name == "" {
		name = e.getenv("USER")
	}
	return handlers.CLIActor(name)
}

// cmdDocs dispatches the docs subcommands.
func cmdDocs(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, docsUsage)
		return errUsage
	}
	switch args[0] {
	case "add":
		return docsAdd(ctx, e, args[1:])
	case "list", "ls":
		return docsList(ctx, e, args[1:])
	case "show":
		return docsShow(ctx, e, args[1:])
	case "edit":
		return docsEdit(ctx, e, args[1:])
	case "remove", "rm":
		return docsOne(ctx, e, "remove", args[1:])
	case "restore":
		return docsOne(ctx, e, "restore", args[1:])
	case "purge":
		return docsPurge(ctx, e, args[1:])
	case "-h", "--help", "help":
		fmt.Fprint(e.stdout, docsUsage)
		return nil
	}
	fmt.Fprintf(e.stderr, "unknown docs command %q\n\n%s", args[0], docsUsage)
	return errUsage
}

// checkDate accepts a document's date as YYYY, YYYY-MM or YYYY-MM-DD naming a real day, month or
// year (1900 to 2100), and "-", which clears the date in docs edit; it says what is wrong otherwise.
func checkDate(v string) error {
	if v == "-" {
		return nil
	}
	for _, layout := range []string{"2006", "2006-01", "2006-01-02"} {
		if len(v) != len(layout) {
			continue
		}
		t, err := time.Parse(layout, v)
		if err != nil {
			// time's own message (month out of range …) is Go's wording; say what a date is.
			return fmt.Errorf("%q is not a real date: write YYYY, YYYY-MM or YYYY-MM-DD", v)
		}
		if t.Year() < 1900 || t.Year() > 2100 {
			return fmt.Errorf("%q: the year must be between 1900 and 2100", v)
		}
		return nil
	}
	return fmt.Errorf("%q is not a date: write YYYY, YYYY-MM or YYYY-MM-DD", v)
}

// metaFlags binds the metadata flags to m.
func metaFlags(fs *flag.FlagSet, m *corpus.Meta) {
	fs.StringVar(&m.Title, "title", "", "title")
	fs.StringVar(&m.Issuer, "issuer", "", "issuing body (发文机关)")
	fs.StringVar(&m.Region, "region", "", "region, e.g. 贵州省铜仁市")
	fs.Func("date", "date: YYYY, YYYY-MM or YYYY-MM-DD (a real date; \"-\" clears it in docs edit)", func(v string) error {
		if err := checkDate(v); err != nil {
			return err
		}
		m.Date = v
		return nil
	})
	fs.StringVar(&m.Kind, "kind", "", "kind: 通知, 意见, 规划, 办法 …")
	fs.StringVar(&m.Number, "number", "", "document number (文号)")
	fs.StringVar(&m.URL, "url", "", "where the document was published")
}

func docsAdd(ctx context.Context, e *env, args []string) error {
	var cfg Config
	var meta corpus.Meta
	fs := flags("docs add", e, &cfg)
	metaFlags(fs, &meta)
	replace := fs.String("replace", "", "id of the document this file replaces (a revised version)")
	verbose := fs.Bool("v", false, "print each document's metadata, each field with where it came from")
	if err := parse(e, fs, args, &cfg); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return fmt.Errorf("%w: docs add needs at least one FILE", errUsage)
	}
	if *replace != "" && fs.NArg() > 1 {
		return fmt.Errorf("%w: --replace takes one FILE", errUsage)
	}
	meta.Date = handlers.NormalizeDate(meta.Date)
	var files []handlers.File
	var bar *progressbar.ProgressBar
	if f, ok := terminal(e.stderr); ok && fs.NArg() > 1 {
		bar = newBar(f, fs.NArg(), "reading")
	}
	for _, path := range fs.Args() {
		st, err := os.Stat(path)
		if err != nil {
			return fmt.Errorf("add %s: %w", path, err)
		}
		if st.IsDir() {
			return fmt.Errorf("add %s: a folder; name the files", path)
		}
		if st.Size() > corpus.MaxFileSize {
			// Refused before it is read.
			return fmt.Errorf("refused %s: %w: %.1f MB, the limit is %d MB; nothing was added", path, corpus.ErrTooLarge, float64(st.Size())/(1<<20), corpus.MaxFileSize>>20)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("add %s: %w", path, err)
		}
		files = append(files, handlers.File{Name: filepath.Base(path), Data: b})
		if bar != nil {
			bar.Add(1)
		}
	}
	if bar != nil {
		bar.Finish()
		bar.Describe("checking and adding")
	}
	s := newStaff(ctx, e, cfg)
	added, err := s.AddDocument(ctx, actor(e), files, handlers.AddOptions{Meta: meta, Replace: *replace})
	var refused *corpus.RefusedError
	if errors.As(err, &refused) {
		for _, f := range refused.Files {
			fmt.Fprintf(e.stderr, "refused %s: %s\n", f.File, reason(f.Err))
		}
		return fmt.Errorf("%w: nothing was added", errFailed)
	}
	// One line in all; each document's metadata with -v (300 files made 2,400 lines).
	passages := 0
	for _, a := range added {
		passages += a.Passages
		if *verbose {
			printAdded(e.stdout, a)
		}
		for _, r := range a.Resembles {
			if !*verbose {
				fmt.Fprintf(e.stdout, "note: %s resembles %s 《%s》 (%.0f%% alike); both stay in the corpus\n", a.Doc.ID, r.ID, r.Title, 100*r.Similarity)
			}
		}
	}
	if len(added) > 0 {
		fmt.Fprintln(e.stdout, addSummary(added, passages))
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, reindexHint(cfg, `Run "policybot reindex" to make the changes searchable; until then answers come from the current index.`))
	return nil
}

// addSummary is the line docs add prints: how many documents and passages, and for one document its
// id and title ("added 2024毕业生就业通知 《…》 (pdf, 5 passages)").
func addSummary(added []*corpus.Added, passages int) string {
	if len(added) == 1 {
		a := added[0]
		verb := "added"
		if a.Replaced != "" {
			verb = "replaced " + a.Replaced + " with"
		}
		return fmt.Sprintf("%s %s 《%s》 (%s, %d passages); -v shows its metadata", verb, a.Doc.ID, a.Doc.Title, a.Format, a.Passages)
	}
	replaced := 0
	for _, a := range added {
		if a.Replaced != "" {
			replaced++
		}
	}
	line := fmt.Sprintf("added %d documents (%d passages)", len(added), passages)
	if replaced > 0 {
		line += fmt.Sprintf(", %d of them replacing one", replaced)
	}
	return line + "; -v lists each with its metadata"
}

// reason is an error from corpus without the package prefixes, for a person.
func reason(err error) string {
	return strings.ReplaceAll(err.Error(), "corpus: ", "")
}

func printAdded(w io.Writer, a *corpus.Added) {
	verb := "added"
	if a.Replaced != "" {
		verb = "replaced " + a.Replaced + " with"
	}
	fmt.Fprintf(w, "%s %s (%s, %d passages)\n", verb, a.Doc.ID, a.Format, a.Passages)
	printMeta(w, a.Doc.Meta, &a.Doc.Sources)
	for _, r := range a.Resembles {
		fmt.Fprintf(w, "  note: it also resembles %s 《%s》 (%.0f%% alike); both stay in the corpus\n", r.ID, r.Title, 100*r.Similarity)
	}
}

// printMeta writes a document's metadata, a field a line, each with where it came from when src is
// given (see corpus.Sources).
func printMeta(w io.Writer, m corpus.Meta, src *corpus.Sources) {
	var from corpus.Sources
	if src != nil {
		from = *src
	}
	status := "in force"
	if m.Status != "" {
		status = m.Status
		if m.SupersededBy != "" {
			status += " by " + m.SupersededBy
		}
	}
	tw := tabwriter.NewWriter(w, 0, 0, 1, ' ', 0)
	for _, f := range [][3]string{
		{"title", m.Title, from.Title}, {"issuer", m.Issuer, from.Issuer}, {"region", m.Region, from.Region},
		{"date", m.Date, from.Date}, {"kind", m.Kind, from.Kind}, {"number", m.Number, from.Number},
		{"url", m.URL, from.URL}, {"script", m.Script, from.Script}, {"original", m.Original, ""},
		{"status", status, from.Status},
	} {
		v := f[1]
		if v == "" {
			if f[0] == "url" || f[0] == "original" || f[0] == "number" && f[2] == "" {
				continue
			}
			v = "(unknown; set it with docs edit)"
			if f[2] != "" {
				v = "(none)"
			}
		}
		if f[2] != "" {
			fmt.Fprintf(tw, "  %s:\t%s\t[%s]\n", f[0], v, f[2])
		} else {
			fmt.Fprintf(tw, "  %s:\t%s\t\n", f[0], v)
		}
	}
	tw.Flush()
}

// listJSON is a document as docs list --json prints it: its metadata, where each field came from,
// and whether the index serves it as it is.
type listJSON struct {
	ID string `json:"id"`
	corpus.Meta
	Sources corpus.Sources `json:"sources"`
	Index   string         `json:"index"`
}

func docsList(ctx context.Context, e *env, args []string) error {
	var cfg Config
	fs := flags("docs list", e, &cfg)
	asJSON := fs.Bool("json", false, "print one JSON object a document: its metadata, sources and index status")
	if err := parse(e, fs, args, &cfg); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: docs list takes no arguments", errUsage)
	}
	s := newStaff(ctx, e, cfg)
	docs, err := s.ListDocuments(ctx, actor(e))
	if err != nil {
		return err
	}
	if *asJSON {
		w := bufio.NewWriter(e.stdout)
		defer w.Flush()
		for _, d := range docs {
			if d.Removed.IsZero() {
				if err := writeJSON(w, listJSON{ID: d.ID, Meta: d.Meta, Sources: d.Sources, Index: d.Status}); err != nil {
					return err
				}
			}
		}
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATUS\tDATE\tREGION\tTITLE")
	trashed := 0
	for _, d := range docs {
		if !d.Removed.IsZero() {
			trashed++
			continue
		}
		title := d.Meta.Title
		if d.Meta.Status != "" {
			title += " [" + d.Meta.Status + "]"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", d.ID, d.Status, dash(d.Meta.Date), dash(d.Meta.Region), title)
	}
	tw.Flush()
	if trashed > 0 {
		fmt.Fprintf(e.stdout, "\nin the trash (docs restore ID brings one back, docs purge deletes them):\n")
		tw = tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
		for _, d := range docs {
			if d.Removed.IsZero() {
				continue
			}
			note := ""
			if d.Status != "" {
				note = "still searchable until the next reindex"
			}
			fmt.Fprintf(tw, "%s\tremoved %s\t%s\t%s\n", d.ID, d.Removed.Local().Format("2006-01-02 15:04"), d.Meta.Title, note)
		}
		tw.Flush()
	}
	return nil
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func docsShow(ctx context.Context, e *env, args []string) error {
	var cfg Config
	fs := flags("docs show", e, &cfg)
	if err := parse(e, fs, args, &cfg); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: docs show takes one ID", errUsage)
	}
	s := newStaff(ctx, e, cfg)
	d, err := s.ShowDocument(ctx, actor(e), fs.Arg(0))
	if err != nil {
		return err
	}
	w := e.stdout
	fmt.Fprintf(w, "%s (%s)\n", d.ID, d.Status)
	printMeta(w, d.Doc.Meta, &d.Doc.Sources)
	fmt.Fprintf(w, "  files:\t%s (%d bytes)\n", strings.Join(d.Files, ", "), d.Bytes)
	fmt.Fprintf(w, "  format:\t%s, %s\n", d.Doc.Format, d.Doc.Encoding)
	fmt.Fprintf(w, "  passages:\t%d\n", len(d.Passages))
	for i, p := range d.Passages {
		if i == 3 {
			fmt.Fprintf(w, "  …\n")
			break
		}
		text := []rune(strings.ReplaceAll(p.Text, "\n", " "))
		if len(text) > 60 {
			text = append(text[:60], '…')
		}
		fmt.Fprintf(w, "  #%d %s\n     %s\n", p.Seq, p.Section(), string(text))
	}
	return nil
}

func docsEdit(ctx context.Context, e *env, args []string) error {
	var cfg Config
	var meta corpus.Meta
	fs := flags("docs edit", e, &cfg)
	metaFlags(fs, &meta)
	fs.StringVar(&meta.Status, "status", "", "whether it is in force: in-force, repealed or superseded")
	fs.StringVar(&meta.SupersededBy, "superseded-by", "", "id of the document that replaced or repealed it (implies --status superseded)")
	if err := parse(e, fs, args, &cfg); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: docs edit takes flags, then one ID (docs edit --title T ID)", errUsage)
	}
	if meta == (corpus.Meta{}) {
		return fmt.Errorf("%w: docs edit needs a field to set, e.g. --title", errUsage)
	}
	if meta.Status != "-" {
		if err := corpus.CheckStatus(meta.Status); err != nil {
			return fmt.Errorf("%w: --status %q: want in-force, repealed or superseded", errUsage, meta.Status)
		}
	}
	if meta.SupersededBy != "" && meta.SupersededBy != "-" && (meta.Status == corpus.StatusInForce || meta.Status == "-") {
		return fmt.Errorf("%w: --superseded-by names what replaced a document that is not in force; it goes with --status superseded or repealed", errUsage)
	}
	if meta.Date != "-" {
		meta.Date = handlers.NormalizeDate(meta.Date)
	}
	s := newStaff(ctx, e, cfg)
	before, after, err := s.EditDocument(ctx, actor(e), fs.Arg(0), meta)
	if err != nil {
		return err
	}
	if before == after {
		fmt.Fprintf(e.stdout, "%s unchanged\n", fs.Arg(0))
		return nil
	}
	fmt.Fprintf(e.stdout, "edited %s:\n", fs.Arg(0))
	printMeta(e.stdout, after, nil)
	fmt.Fprintln(e.stdout, reindexHint(cfg, `Run "policybot reindex" to make the change searchable.`))
	return nil
}

func docsOne(ctx context.Context, e *env, what string, args []string) error {
	var cfg Config
	fs := flags("docs "+what, e, &cfg)
	if err := parse(e, fs, args, &cfg); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: docs %s takes one ID", errUsage, what)
	}
	s := newStaff(ctx, e, cfg)
	id := fs.Arg(0)
	var ent *corpus.Entry
	var err error
	if what == "remove" {
		ent, err = s.RemoveDocument(ctx, actor(e), id)
	} else {
		ent, err = s.RestoreDocument(ctx, actor(e), id)
	}
	if err != nil {
		return err
	}
	if what == "remove" {
		fmt.Fprintf(e.stdout, "moved %s 《%s》 to the trash (docs restore %s brings it back)\n", id, ent.Meta.Title, corpus.QuoteID(id))
	} else {
		fmt.Fprintf(e.stdout, "restored %s 《%s》\n", id, ent.Meta.Title)
	}
	fmt.Fprintln(e.stdout, reindexHint(cfg, `Run "policybot reindex" to make the change searchable.`))
	return nil
}

func docsPurge(ctx context.Context, e *env, args []string) error {
	var cfg Config
	fs := flags("docs purge", e, &cfg)
	if err := parse(e, fs, args, &cfg); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: docs purge takes no arguments", errUsage)
	}
	s := newStaff(ctx, e, cfg)
	gone, err := s.PurgeTrash(ctx, actor(e))
	if err != nil {
		return err
	}
	if len(gone) == 0 {
		fmt.Fprintln(e.stdout, "the trash is empty")
		return nil
	}
	for _, g := range gone {
		fmt.Fprintf(e.stdout, "deleted %s 《%s》 (removed %s)\n", g.ID, g.Meta.Title, g.Removed.Local().Format("2006-01-02 15:04"))
	}
	return nil
}

// loadQuestions reads the regression questions: the set named, or else the corpus's own,
// regression.jsonl beside the corpus folder, each with the verdict it expects (see expectations). It
// returns nil, "" when there is none.
func loadQuestions(set string, cfg Config) ([]handlers.Question, string, error) {
	if set == "" {
		set = filepath.Join(filepath.Dir(filepath.Clean(cfg.Corpus)), "regression.jsonl")
		if _, err := os.Stat(set); err != nil {
			return nil, "", nil
		}
	}
	qs, err := eval.Load(set)
	if err != nil {
		return nil, set, err
	}
	expect, err := expectations(set)
	if err != nil {
		return nil, set, err
	}
	if len(expect) != len(qs) {
		return nil, set, fmt.Errorf("read %s: %d questions, but %d lines", set, len(qs), len(expect))
	}
	out := make([]handlers.Question, len(qs))
	for i := range qs {
		q := qs[i]
		out[i] = handlers.Question{ID: q.ID, Text: q.Q, Expect: expect[i]}
		if len(q.Gold) > 0 {
			out[i].Answers = q.Answers
		}
	}
	return out, set, nil
}

// expectations reads the verdict each question of a set (its lines in order, blank lines aside)
// expects: its "verdict" ("answer", "related" or "none") when it has one, else none when it is
// "answerable":false and answer when it is "answerable":true; "" when it says neither. It returns an
// error naming the line for another verdict.
func expectations(path string) ([]index.Verdict, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read question set: %w", err)
	}
	var out []index.Verdict
	for n, line := range strings.Split(string(b), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		var q struct {
			Answerable *bool  `json:"answerable"`
			Verdict    string `json:"verdict"`
		}
		if err := json.Unmarshal([]byte(line), &q); err != nil {
			return nil, fmt.Errorf("read %s:%d: %w", path, n+1, err)
		}
		v := index.Verdict(q.Verdict)
		switch {
		case v == index.VerdictAnswer, v == index.VerdictRelated, v == index.VerdictNone:
		case v != "":
			return nil, fmt.Errorf("read %s:%d: verdict %q is not answer, related or none", path, n+1, q.Verdict)
		case q.Answerable == nil:
		case *q.Answerable:
			v = index.VerdictAnswer
		default:
			v = index.VerdictNone
		}
		out = append(out, v)
	}
	return out, nil
}
