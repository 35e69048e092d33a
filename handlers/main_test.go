package handlers

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"policybot/corpus"
	"policybot/index"
)

// seeds is the index of the shipped corpus, built once in TestMain.
var seeds *index.Index

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "policybot-handlers-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := func() int {
		docs, err := corpus.Load("../corpus/docs")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		if _, err := index.Build(context.Background(), dir, docs, index.BuildOptions{
			UserDict: "../corpus/dict/userdict.txt", Synonyms: "../corpus/dict/synonyms.txt", Fingerprint: "test"}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		if seeds, err = index.Open(dir); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer seeds.Close()
		return m.Run()
	}()
	os.RemoveAll(dir)
	os.Exit(code)
}

// fixedNow is the clock of the tests: November 2026, when the shipped documents of 2021 and 2022 are
// more than three years old and the one of 2025 is not.
func fixedNow() time.Time { return time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC) }
