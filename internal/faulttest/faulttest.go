// Package faulttest damages files the way a failing disk or a careless operator does, for the
// fault-injection tests of index and cmd/policybot.
package faulttest

import (
	"os"
	"path/filepath"
)

// Damage is one way of damaging a file.
type Damage struct {
	Name string
	Do   func(path string) error
}

// Damages are the ways a file is damaged in the tests: removed, cut to half its length, overwritten
// with zeros.
var Damages = []Damage{
	{"delete", os.Remove},
	{"truncate", func(path string) error {
		fi, err := os.Stat(path)
		if err != nil {
			return err
		}
		return os.Truncate(path, fi.Size()/2)
	}},
	{"zero", func(path string) error {
		fi, err := os.Stat(path)
		if err != nil {
			return err
		}
		return os.WriteFile(path, make([]byte, fi.Size()), 0o644)
	}},
}

// Files lists the files under dir, relative to it, in lexical order.
func Files(dir string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		files = append(files, rel)
		return err
	})
	return files, err
}

// Copy copies the folder src to dst, which it creates.
func Copy(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
}
