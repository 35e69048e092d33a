package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"policybot/internal/pgcorpus"
)

// usage is the help text of the command.
const usage = `policybot: answers questions about employment and social-security policy documents.

Usage:
  policybot index  [--corpus DIR] [--data DIR]             build the index from the corpus
  policybot search [-k N] [--json] QUESTION                 best passages for a question
  policybot search --json --batch FILE                      one JSON answer a line for each question in FILE
  policybot eval   --set FILE [-k N] [--split SEEDS] [--json] [--floors FILE]
                                                            answer quality on a question set
  policybot bench  [--corpus DIR] [--queries FILE] [--json] indexing and search speed and memory
  policybot bench  --qa ANSWERS --questions QUESTIONS       retrieval quality on a question-answer set
  policybot docs   add|list|show|edit|remove|restore|purge  staff: manage the corpus ("policybot docs" for help)
  policybot reindex [--full] [--set FILE]                   staff: update the index, report what changed
  policybot logs   stats|export|purge                       the query log: figures, CSV/JSONL export, retention
  policybot serve  [--webhook-url URL --listen ADDR]        the Telegram bot (TELEGRAM_BOT_TOKEN; without it,
                   [--admin-addr ADDR]                      the console chat); the admin page on ADDR
                   [--log-db URL] [--log-retention DAYS]    (POLICYBOT_ADMIN_TOKEN); the query log
  policybot chat   [--log-db URL]                           the console chat: questions on stdin, answers on stdout
  policybot version                                         version, commit and build time

  policybot store  import|export|status --store URL         the corpus in PostgreSQL, for replicas ("policybot store" for help)

Every command takes --corpus DIR (default ./corpus/docs), --data DIR (default ./data),
--dict DIR (the user dictionary and synonym list; default: dict beside the corpus folder) and
--skip DIRS (folders under the corpus to leave out, comma-separated) and --store URL (the corpus
in PostgreSQL instead of the folder, POLICYBOT_STORE; replicas share it).
Flags may come before or after the arguments. Run "policybot COMMAND -h" for a command's flags.
`

// errUsage marks an error in how the command was called; main exits 2 for it.
var errUsage = errors.New("usage")

// errHelp marks a -h request, answered with the flags' help.
var errHelp = errors.New("help requested")

// errFailed marks a run that worked but whose outcome is a failure (figures below their floors).
var errFailed = errors.New("failed")

func exitCode(err error) int {
	if errors.Is(err, errUsage) {
		return 2
	}
	return 1
}

// env is what a command runs with: its streams, environment and logger.
type env struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	log    *slog.Logger
}

// run is the whole program, callable from tests: args[0] is the program name.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	e := &env{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr, log: newLogger(getenv, stderr)}
	if len(args) < 2 {
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	err := dispatch(ctx, e, args[1], args[2:])
	if errors.Is(err, errHelp) {
		return nil
	}
	return err
}

func dispatch(ctx context.Context, e *env, cmd string, rest []string) error {
	switch cmd {
	case "index":
		return cmdIndex(ctx, e, rest)
	case "search":
		return cmdSearch(ctx, e, rest)
	case "eval":
		return cmdEval(ctx, e, rest)
	case "bench":
		return cmdBench(ctx, e, rest)
	case "docs":
		return cmdDocs(ctx, e, rest)
	case "reindex":
		return cmdReindex(ctx, e, rest)
	case "logs":
		return cmdLogs(ctx, e, rest)
	case "serve":
		return cmdServe(ctx, e, rest)
	case "store":
		return cmdStore(ctx, e, rest)
	case "chat":
		return cmdChat(ctx, e, rest)
	case "version", "--version":
		return cmdVersion(ctx, e, rest)
	case "help", "-h", "--help":
		fmt.Fprint(e.stdout, usage)
		return nil
	}
	fmt.Fprintf(e.stderr, "unknown command %q\n\n%s", cmd, usage)
	return errUsage
}

// newLogger is the process log on w: text, or JSON with POLICYBOT_LOG_FORMAT=json (one object a
// line, for a log collector), at the level POLICYBOT_LOG names.
func newLogger(getenv func(string) string, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: logLevel(getenv("POLICYBOT_LOG"))}
	if strings.EqualFold(strings.TrimSpace(getenv("POLICYBOT_LOG_FORMAT")), "json") {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func logLevel(s string) slog.Level {
	switch strings.ToLower(s) {
	case "debug":
		return slog.LevelDebug
	case "warn":
		return slog.LevelWarn
	case "error":
		return slog.LevelError
	}
	return slog.LevelInfo
}

// Config is what every command needs to find the corpus and its data.
type Config struct {
	Corpus string // folder of documents
	Data   string // folder of the index and logs
	Dict   string // folder of userdict.txt and synonyms.txt
	// Skip names folders under Corpus that are not part of the corpus.
	Skip []string
	// ReadOnly reads the corpus without writing to its folder (no lock file): for eval, whose corpus
	// may be one this program does not keep.
	ReadOnly bool
	// Store is the corpus in PostgreSQL (--store postgres://…), "" for the corpus folder. With it,
	// Corpus is the store's local copy, DATA/store/corpus, brought up to date when the command starts.
	Store string
	store *pgcorpus.Store
	// answers is set by the commands that answer questions (serve, chat): when the store cannot be
	// reached as they start, they answer from its local copy, if there is one, until it can.
	answers bool
	// StoreCheck is how often serve asks the store for its version besides LISTEN (--store-check).
	StoreCheck time.Duration
}

// flags returns a flag set with the common flags bound to cfg.
func flags(name string, e *env, cfg *Config) *flag.FlagSet {
	fs := flag.NewFlagSet("policybot "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.StringVar(&cfg.Corpus, "corpus", "corpus/docs", "folder of policy documents")
	fs.StringVar(&cfg.Data, "data", "data", "folder for the index and logs")
	fs.StringVar(&cfg.Store, "store", "", "the corpus in PostgreSQL that replicas share, postgres://… (default: the corpus folder)")
	fs.StringVar(&cfg.Dict, "dict", "", "folder with userdict.txt and synonyms.txt (default: dict beside the corpus folder)")
	fs.Func("skip", "folders under the corpus folder to leave out, comma-separated (e.g. DLC)", func(s string) error {
		for _, f := range strings.Split(s, ",") {
			if f = strings.Trim(filepath.ToSlash(strings.TrimSpace(f)), "/"); f != "" {
				cfg.Skip = append(cfg.Skip, f)
			}
		}
		return nil
	})
	return fs
}

// parse parses args, turning flag errors into errUsage. Flags may come before or after the
// positional arguments (search "失业金" -k 1); after "--" everything is positional. fs.Args() are
// then the positional arguments, in order. Before the command line, a flag takes its value from the
// environment variable POLICYBOT_NAME (--log-db: POLICYBOT_LOG_DB) when it is set, for the common
// flags of every command and every flag of serve and chat.
func parse(e *env, fs *flag.FlagSet, args []string, cfg *Config) error {
	if err := fromEnv(fs, e.getenv); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return errHelp
			}
			return fmt.Errorf("%w: %v", errUsage, err)
		}
		rest := fs.Args()
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			pos = append(pos, rest...)
			break
		}
		if len(rest) == 0 {
			break
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
	// Leave the positional arguments as fs.Args().
	fs.Parse(append([]string{"--"}, pos...))
	if cfg.Dict == "" {
		cfg.Dict = filepath.Join(filepath.Dir(filepath.Clean(cfg.Corpus)), "dict")
	}
	if cfg.Store != "" {
		return openStore(e, cfg)
	}
	return nil
}

// storeOpen bounds connecting to the corpus store and bringing its local copy up to date when a
// command starts.
const storeOpen = 2 * time.Minute

// storeOpenLocal bounds it instead for serve and chat when they have a local copy to answer from.
const storeOpenLocal = 10 * time.Second

// openStore connects to the corpus store cfg.Store and brings its local copy in cfg.Data up to date;
// the command then reads that copy as its corpus folder. The connection lasts as long as the
// process (serve closes it when it stops).
func openStore(e *env, cfg *Config) error {
	dir := filepath.Join(cfg.Data, "store")
	wait := storeOpen
	if cfg.answers && pgcorpus.LocalVersion(dir) >= 0 {
		wait = storeOpenLocal
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	st, err := pgcorpus.Open(ctx, cfg.Store, dir, e.log)
	if errors.Is(err, pgcorpus.ErrStore) {
		return fmt.Errorf("%w: --store: %v", errUsage, err)
	}
	var v int64
	if err == nil {
		if v, err = st.Sync(ctx); err != nil {
			st.Close()
		}
	}
	if err != nil && cfg.answers {
		// A replica restarted while the database is down still answers, from what it last had.
		local, lerr := pgcorpus.OpenLocal(cfg.Store, dir, e.log)
		if lerr != nil {
			return err
		}
		e.log.Warn("the corpus store cannot be reached: answering from its local copy until it can",
			"version", local.Mirrored(), "err", err)
		cfg.store, cfg.Corpus, cfg.Skip = local, local.Dir(), nil
		return nil
	}
	if err != nil {
		return err
	}
	if v == 0 {
		e.log.Warn("the corpus store is empty; policybot store import --store URL --corpus DIR puts a corpus folder in it")
	}
	e.log.Debug("corpus store", "version", v, "copy", st.Dir())
	cfg.store, cfg.Corpus, cfg.Skip = st, st.Dir(), nil
	return nil
}

// envFlags are the flags that take a value from the environment in every command; in serve and chat
// every flag does.
var envFlags = map[string]bool{"corpus": true, "data": true, "dict": true, "skip": true, "store": true}

// envName is the environment variable of flag name: POLICYBOT_ and the name in capitals, - as _.
func envName(name string) string {
	return "POLICYBOT_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
}

// fromEnv sets the flags of fs that have an environment variable set (see parse).
func fromEnv(fs *flag.FlagSet, getenv func(string) string) error {
	all := strings.HasSuffix(fs.Name(), " serve") || strings.HasSuffix(fs.Name(), " chat")
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if err != nil || !all && !envFlags[f.Name] {
			return
		}
		if v := getenv(envName(f.Name)); v != "" {
			if e := fs.Set(f.Name, v); e != nil {
				err = fmt.Errorf("%s=%q: %v", envName(f.Name), v, e)
			}
		}
	})
	return err
}

// UserDict and Synonyms are the dictionary files of the configuration.
func (c Config) UserDict() string { return filepath.Join(c.Dict, "userdict.txt") }

// Synonyms is the synonym list of the configuration.
func (c Config) Synonyms() string { return filepath.Join(c.Dict, "synonyms.txt") }
