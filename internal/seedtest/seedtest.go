// Package seedtest builds the index of the shipped corpus for the tests of packages above index
// (handlers, bot), the same way wherever the test runs from.
package seedtest

import (
	"context"
	"flag"
	"path/filepath"
	"runtime"

	"policybot/corpus"
	"policybot/index"
)

// root is the repository's root folder, found from this file's place in it.
func root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// Fuzzing reports whether the test binary was started to fuzz (go test -fuzz F, and each of its
// workers): a fuzz target of handlers or bot needs no index, so TestMain need not spend seconds
// building it in every worker.
func Fuzzing() bool {
	if !flag.Parsed() {
		flag.Parse()
	}
	f := flag.Lookup("test.fuzz")
	return f != nil && f.Value.String() != ""
}

// Build builds the index of the shipped corpus (corpus/docs, with corpus/dict's dictionaries) in
// dataDir and opens it.
func Build(dataDir string) (*index.Index, error) {
	r := root()
	docs, err := corpus.Load(filepath.Join(r, "corpus", "docs"))
	if err != nil {
		return nil, err
	}
	if _, err := index.Build(context.Background(), dataDir, docs, index.BuildOptions{
		UserDict:    filepath.Join(r, "corpus", "dict", "userdict.txt"),
		Synonyms:    filepath.Join(r, "corpus", "dict", "synonyms.txt"),
		Fingerprint: "test",
	}); err != nil {
		return nil, err
	}
	return index.Open(dataDir)
}
