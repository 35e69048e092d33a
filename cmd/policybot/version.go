package main

import (
	"context"
	"fmt"
	"runtime/debug"
)

// cmdVersion prints the module's version, the commit it was built from and when that commit was
// made (debug.ReadBuildInfo: the VCS stamp go build writes, "(devel)" and no commit when built
// without one, e.g. by go run or with -buildvcs=false), and the Go version.
func cmdVersion(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 {
		return fmt.Errorf("%w: version takes no arguments", errUsage)
	}
	fmt.Fprintln(e.stdout, versionLine())
	return nil
}

// versionLine says what this binary is: "policybot v1.2.0 commit 0123abcd… (2026-11-22T09:00:00Z,
// modified) go1.26.8".
func versionLine() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "policybot (no build information)"
	}
	v := bi.Main.Version
	if v == "" {
		v = "(devel)"
	}
	var rev, at, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = ", modified"
			}
		}
	}
	line := "policybot " + v
	if rev != "" {
		line += " commit " + rev
		if at != "" || modified != "" {
			line += " (" + at + modified + ")"
		}
	} else {
		line += " commit unknown"
	}
	return line + " " + bi.GoVersion
}
