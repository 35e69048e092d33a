package handlers

import (
	"fmt"
	"os"
	"testing"
	"time"

	"policybot/index"
	"policybot/internal/seedtest"
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
		if seedtest.Fuzzing() {
			return m.Run()
		}
		ix, err := seedtest.Build(dir)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		seeds = ix
		defer seeds.Close()
		return m.Run()
	}()
	os.RemoveAll(dir)
	os.Exit(code)
}

// fixedNow is the clock of the tests: November 2026, when the shipped documents of 2021 and 2022 are
// more than three years old and the one of 2025 is not.
func fixedNow() time.Time { return time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC) }
