package main

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
)

// kitFile reads a file of the deployment kit, relative to the repository's root.
func kitFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// codeEnv is every environment variable the program reads: those it asks for while serve starts
// (the flags' variables, the process log's, the bot token, the log's secret, the admin token) —
// recorded by running it — and those it reads only with a Telegram token (named by serve.go's
// constants), and TZ, which Go's time package reads.
func codeEnv(t *testing.T) map[string]bool {
	t.Helper()
	var mu sync.Mutex
	seen := map[string]bool{"TZ": true}
	for _, k := range []string{envToken, envAPIURL, envWebhookSecret, envStaff, envAdmins, envAdminToken} {
		seen[k] = true
	}
	record := func(k string) string {
		mu.Lock()
		defer mu.Unlock()
		seen[k] = true
		return ""
	}
	args := seedArgs(t)
	for _, a := range [][]string{
		append([]string{"serve"}, args...),                                // the console chat: every flag's variable, the log's
		append([]string{"serve", "--admin-addr", "127.0.0.1:0"}, args...), // refused without the admin token, having asked for it
	} {
		var out, errb bytes.Buffer
		run(context.Background(), append([]string{"policybot"}, a...), record, strings.NewReader(""), &out, &errb)
	}
	for _, k := range []string{envToken, "POLICYBOT_LOG_SECRET", "POLICYBOT_LOG_FORMAT", "POLICYBOT_ADMIN_ADDR", "POLICYBOT_DATA"} {
		if !seen[k] {
			t.Fatalf("serve did not ask for %s: the recording misses what the program reads", k)
		}
	}
	return seen
}

// assignment finds the variable names a text assigns (NAME=, "#NAME=" for an example left commented out)
// at the start of a line.
var assignment = regexp.MustCompile(`(?m)^#?([A-Z][A-Z0-9_]*)=`)

// TestDeployKit keeps the deployment kit (Dockerfile, compose.yaml, deploy/) consistent with the
// code: every variable it names is one the program reads (or the PostgreSQL image's), the example
// lists every variable the program reads, the image runs an existing command as a non-root user with
// its data in its volume, and the systemd unit runs the same entry point, hardened, with its
// settings from an EnvironmentFile. deploy/test-image.sh runs the image's steps; this test reads them.
func TestDeployKit(t *testing.T) {
	known := codeEnv(t)
	example := kitFile(t, "deploy/policybot.env.example")
	compose := kitFile(t, "compose.yaml")
	docker := kitFile(t, "Dockerfile")
	unit := kitFile(t, "deploy/policybot.service")
	start := kitFile(t, "deploy/policybot-start")

	// compose.yaml's own variables: the PostgreSQL service's password, interpolated from .env.
	composeVars := map[string]bool{}
	for _, m := range regexp.MustCompile(`\$\{([A-Z][A-Z0-9_]*)`).FindAllStringSubmatch(compose, -1) {
		composeVars[m[1]] = true
	}

	t.Run("env example", func(t *testing.T) {
		listed := map[string]bool{}
		for _, m := range assignment.FindAllStringSubmatch(example, -1) {
			v := m[1]
			listed[v] = true
			if !known[v] && !composeVars[v] {
				t.Errorf("deploy/policybot.env.example names %s, which the program does not read and compose.yaml does not use", v)
			}
		}
		for v := range known {
			if !listed[v] {
				t.Errorf("deploy/policybot.env.example does not list %s, which the program reads", v)
			}
		}
		if !strings.Contains(example, "\n"+envToken+"=\n") {
			t.Errorf("the example does not ask for %s on a line of its own", envToken)
		}
	})

	t.Run("compose", func(t *testing.T) {
		for v := range composeVars {
			if !assignment.MatchString(v + "=") {
				continue
			}
			if !strings.Contains(example, v+"=") {
				t.Errorf("compose.yaml uses ${%s}, which the env example (its .env) does not list", v)
			}
		}
		for _, want := range []string{"env_file: .env", "- data:/data", "profiles: [postgres]", `"127.0.0.1:8080:8080"`, "build: ."} {
			if !strings.Contains(compose, want) {
				t.Errorf("compose.yaml lacks %q", want)
			}
		}
		// Only the PostgreSQL service sets variables itself, and only the image's.
		for _, m := range regexp.MustCompile(`(?m)^\s+([A-Z][A-Z0-9_]*):`).FindAllStringSubmatch(compose, -1) {
			if !strings.HasPrefix(m[1], "POSTGRES_") && !known[m[1]] {
				t.Errorf("compose.yaml sets %s, which the program does not read", m[1])
			}
		}
	})

	t.Run("Dockerfile", func(t *testing.T) {
		ins := dockerfile(docker)
		var froms []string
		for _, in := range ins {
			if in[0] == "FROM" {
				froms = append(froms, strings.Fields(in[1])[0])
			}
		}
		if len(froms) != 2 {
			t.Fatalf("FROM %v: want a build stage and a runtime stage", froms)
		}
		goVersion := regexp.MustCompile(`(?m)^go (\S+)$`).FindStringSubmatch(kitFile(t, "go.mod"))[1]
		if !strings.HasPrefix(froms[0], "golang:"+goVersion+"-") {
			t.Errorf("the build stage is %s, not the go.mod's Go %s", froms[0], goVersion)
		}
		for _, f := range froms {
			if _, tag, ok := strings.Cut(f, ":"); !ok || tag == "latest" || !regexp.MustCompile(`\d+\.\d+`).MatchString(tag) {
				t.Errorf("base image %s is not pinned to a version tag", f)
			}
		}
		last := map[string]string{}
		env := map[string]string{}
		var copies [][]string
		for _, in := range ins {
			last[in[0]] = in[1]
			switch in[0] {
			case "ENV":
				for _, kv := range strings.Fields(in[1]) {
					k, v, _ := strings.Cut(kv, "=")
					env[k] = v
					if !known[k] {
						t.Errorf("the image sets %s, which the program does not read", k)
					}
				}
			case "COPY":
				copies = append(copies, strings.Fields(in[1]))
			}
		}
		if u := last["USER"]; !regexp.MustCompile(`^[1-9]\d*:\d+$`).MatchString(u) {
			t.Errorf("USER %q: want a numeric uid:gid other than root", u)
		}
		if last["VOLUME"] != "/data" || env["POLICYBOT_DATA"] != "/data" || !strings.HasPrefix(env["POLICYBOT_CORPUS"], "/data/") {
			t.Errorf("VOLUME %s, POLICYBOT_DATA %s, POLICYBOT_CORPUS %s: want the data and the corpus in the volume /data",
				last["VOLUME"], env["POLICYBOT_DATA"], env["POLICYBOT_CORPUS"])
		}
		// The entry point is the start script, copied into the image, and CMD an existing command.
		entry := jsonWords(last["ENTRYPOINT"])
		cmd := jsonWords(last["CMD"])
		if len(entry) != 1 || len(cmd) == 0 {
			t.Fatalf("ENTRYPOINT %v CMD %v", entry, cmd)
		}
		if !slices.ContainsFunc(copies, func(c []string) bool { return slices.Equal(c, []string{"deploy/policybot-start", entry[0]}) }) {
			t.Errorf("ENTRYPOINT %s is not deploy/policybot-start copied there", entry[0])
		}
		checkCommand(t, "the image's CMD", cmd)
		// What the image copies from the repository is there, and not left out of the build context.
		ignored := kitFile(t, ".dockerignore")
		for _, c := range copies {
			if strings.HasPrefix(c[0], "--from=") {
				continue
			}
			if _, err := os.Stat(filepath.Join("..", "..", c[0])); err != nil {
				t.Errorf("COPY %s: %v", c[0], err)
			}
			for _, line := range strings.Split(ignored, "\n") {
				if p := strings.TrimSuffix(strings.TrimSpace(line), "/"); p != "" && !strings.HasPrefix(p, "#") && p != "." &&
					(c[0] == p || strings.HasPrefix(c[0], p+"/")) {
					t.Errorf("COPY %s: .dockerignore leaves it out (%s)", c[0], line)
				}
			}
		}
		// The shipped corpus goes where the start script copies it from.
		if !strings.Contains(start, `POLICYBOT_SHIPPED:-/usr/share/policybot/corpus`) ||
			!slices.ContainsFunc(copies, func(c []string) bool { return c[0] == "corpus/docs" && c[1] == "/usr/share/policybot/corpus/docs" }) {
			t.Error("the image does not copy the corpus where deploy/policybot-start looks for it")
		}
	})

	t.Run("systemd unit", func(t *testing.T) {
		settings := map[string][]string{}
		sc := bufio.NewScanner(strings.NewReader(unit))
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if k, v, ok := strings.Cut(line, "="); ok && !strings.HasPrefix(line, "#") {
				settings[k] = append(settings[k], v)
			}
		}
		exec := strings.Fields(strings.Join(settings["ExecStart"], " "))
		if len(exec) < 2 || exec[0] != "/usr/local/bin/policybot-start" {
			t.Fatalf("ExecStart=%v: want the image's entry point, /usr/local/bin/policybot-start, and a command", exec)
		}
		checkCommand(t, "the unit's ExecStart", exec[1:])
		if len(settings["EnvironmentFile"]) != 1 || !strings.HasPrefix(settings["EnvironmentFile"][0], "/etc/") {
			t.Errorf("EnvironmentFile=%v", settings["EnvironmentFile"])
		}
		env := map[string]string{}
		for _, kv := range settings["Environment"] {
			k, v, _ := strings.Cut(kv, "=")
			env[k] = v
			if !known[k] {
				t.Errorf("the unit sets %s, which the program does not read", k)
			}
		}
		if state := settings["StateDirectory"]; len(state) != 1 || env["POLICYBOT_DATA"] != "/var/lib/"+state[0] {
			t.Errorf("StateDirectory=%v, POLICYBOT_DATA=%s: want the data in the state directory", state, env["POLICYBOT_DATA"])
		}
		for k, want := range map[string]string{"DynamicUser": "yes", "NoNewPrivileges": "yes", "ProtectSystem": "strict",
			"ProtectHome": "yes", "PrivateTmp": "yes", "UMask": "0077"} {
			if got := settings[k]; len(got) != 1 || got[0] != want {
				t.Errorf("%s=%v, want %s", k, got, want)
			}
		}
	})
}

// checkCommand fails when args do not start with a command of the program (asked for its help).
func checkCommand(t *testing.T, what string, args []string) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), append([]string{"policybot", args[0], "-h"}, args[1:]...), func(string) string { return "" },
		strings.NewReader(""), &out, &errb)
	if err != nil || strings.Contains(errb.String(), "unknown command") {
		t.Errorf("%s %v is not a command of policybot: %v\n%s", what, args, err, errb.String())
	}
}

// dockerfile returns a Dockerfile's instructions, each its keyword and arguments, continuation lines
// joined and comments left out.
func dockerfile(text string) [][2]string {
	var out [][2]string
	var cont string
	for _, line := range strings.Split(text, "\n") {
		if cont == "" && strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		if s, ok := strings.CutSuffix(strings.TrimRight(line, " \t"), `\`); ok {
			cont += s + " "
			continue
		}
		line = strings.Join(strings.Fields(cont+line), " ")
		cont = ""
		if kw, args, ok := strings.Cut(line, " "); ok {
			out = append(out, [2]string{kw, args})
		}
	}
	return out
}

// jsonWords are the words of an exec-form instruction's JSON array (["a", "b"]), none with spaces.
func jsonWords(s string) []string {
	return strings.Fields(strings.NewReplacer("[", " ", "]", " ", `"`, " ", ",", " ").Replace(s))
}
