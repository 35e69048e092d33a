package main

import (
	"context"
	"fmt"

	"policybot/internal/eval"
)

// cmdEval scores answer quality on a question set.
func cmdEval(ctx context.Context, e *env, args []string) error {
	var cfg Config
	fs := flags("eval", e, &cfg)
	set := fs.String("set", "", "question set (JSONL, see ../shared/eval/README.md)")
	asJSON := fs.Bool("json", false, "print the figures as one JSON object")
	floors := fs.String("floors", "", "JSON file of floors; exit 1 when a figure is below its floor")
	brief := fs.Bool("brief", false, "figures only, without the questions missed")
	k := fs.Int("k", eval.DefaultK, "passages scored for each question")
	split := fs.String("split", "", "seeds, comma-separated; for each, also score the two halves of the questions shuffled by that seed")
	if err := parse(e, fs, args, &cfg); err != nil {
		return err
	}
	if *set == "" || fs.NArg() > 0 {
		return fmt.Errorf("%w: eval needs --set FILE", errUsage)
	}
	cfg.ReadOnly = true // the corpus scored may be one this program does not keep (../shared/bench/lawref)
	seeds, err := parseSeeds(*split)
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if *k < 1 {
		return fmt.Errorf("%w: -k must be at least 1", errUsage)
	}
	qs, err := eval.Load(*set)
	if err != nil {
		return err
	}
	var fl *eval.Floors
	if *floors != "" {
		if fl, err = eval.LoadFloors(*floors); err != nil {
			return err
		}
	}
	ix, err := openIndex(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer ix.Close()
	rep, err := eval.Run(ctx, ix, qs, *k)
	if err != nil {
		return err
	}
	rep.AddSplits(seeds)
	if *asJSON {
		if err := writeJSON(e.stdout, rep); err != nil {
			return err
		}
	} else {
		if *brief {
			rep.Misses = nil
		}
		rep.Print(e.stdout)
	}
	if fl != nil {
		if below := fl.Check(rep); len(below) > 0 {
			for _, b := range below {
				fmt.Fprintln(e.stderr, b)
			}
			return fmt.Errorf("%w: answer quality is below its floors", errFailed)
		}
	}
	return nil
}
