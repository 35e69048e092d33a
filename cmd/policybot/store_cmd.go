package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"policybot/internal/audit"
	"policybot/internal/pgcorpus"
)

const storeUsage = `Usage:
  policybot store import --store URL [--corpus DIR] [--replace]
                                                      put the corpus folder DIR (and regression.jsonl beside it)
                                                      in the store as one change; --replace to replace a corpus
                                                      the store holds already
  policybot store export --store URL DIR              write the store's corpus to the new folder DIR
  policybot store status --store URL                  the store's version, its last change, its size
The store is a PostgreSQL database (postgres://…; or POLICYBOT_STORE). Replicas started with
--store answer from it and follow its changes.
`

// cmdStore moves a corpus between a folder and the store, and says what the store holds.
func cmdStore(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, storeUsage)
		return errUsage
	}
	sub := args[0]
	switch sub {
	case "import", "export", "status":
	case "-h", "--help", "help":
		fmt.Fprint(e.stdout, storeUsage)
		return nil
	default:
		fmt.Fprintf(e.stderr, "unknown store command %q\n\n%s", sub, storeUsage)
		return errUsage
	}
	// Not the common flags: --store here names the store to move the corpus to or from, not the
	// corpus the command reads.
	fs := flag.NewFlagSet("policybot store "+sub, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	url := fs.String("store", e.getenv("POLICYBOT_STORE"), "the store, postgres://… (POLICYBOT_STORE)")
	dir := fs.String("corpus", "corpus/docs", "the corpus folder to import")
	data := fs.String("data", "data", "data folder (the store's local copy is kept in DATA/store)")
	replace := fs.Bool("replace", false, "import: replace the corpus the store holds (its documents, trash and regression set)")
	var cfg Config
	if err := parse(e, fs, args[1:], &cfg); err != nil {
		return err
	}
	if *url == "" {
		return fmt.Errorf("%w: store %s needs --store postgres://… (or POLICYBOT_STORE)", errUsage, sub)
	}
	switch {
	case sub == "export" && fs.NArg() != 1:
		return fmt.Errorf("%w: store export takes one DIR", errUsage)
	case sub != "export" && fs.NArg() != 0:
		return fmt.Errorf("%w: store %s takes no arguments", errUsage, sub)
	}
	st, err := pgcorpus.Open(ctx, *url, filepath.Join(*data, "store"), e.log)
	if errors.Is(err, pgcorpus.ErrStore) {
		return fmt.Errorf("%w: --store: %v", errUsage, err)
	}
	if err != nil {
		return err
	}
	defer st.Close()
	switch sub {
	case "import":
		if st, err := os.Stat(*dir); err != nil || !st.IsDir() {
			return fmt.Errorf("import: %s is not a folder", *dir)
		}
		if v, err := st.Version(ctx); err != nil {
			return err
		} else if v > 0 && !*replace {
			return fmt.Errorf("%w: the store holds a corpus already (version %d); store import --replace replaces it", errUsage, v)
		}
		who := actor(e).String()
		v, err := st.Import(audit.WithWho(ctx, who), *dir)
		if err != nil {
			return err
		}
		if err := st.Append(audit.Entry{Who: who, Action: "import", Detail: map[string]string{"from": *dir, "version": fmt.Sprint(v)}}); err != nil {
			e.log.Error("cannot write the audit trail", "err", err, "action", "import")
		}
		stat, err := st.Stat(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "imported %s: %d files, %.1f MB; the store is at version %d\n", *dir, stat.Files, float64(stat.Bytes)/(1<<20), v)
	case "export":
		v, err := st.Export(ctx, fs.Arg(0))
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "exported version %d to %s\n", v, fs.Arg(0))
	case "status":
		stat, err := st.Stat(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "version %d\n", stat.Version)
		if stat.Version > 0 {
			by := ""
			if stat.Who != "" {
				by = " by " + stat.Who
			}
			fmt.Fprintf(e.stdout, "last change: %s%s (%s)\n", stat.What, by, stat.Changed.Local().Format("2006-01-02 15:04:05"))
		}
		fmt.Fprintf(e.stdout, "files: %d (%.1f MB)\naudit entries: %d\n", stat.Files, float64(stat.Bytes)/(1<<20), stat.Audit)
	}
	return nil
}
