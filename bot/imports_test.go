package bot

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImports: only package bot imports the Telegram library, and handlers knows nothing of bot.
func TestImports(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}}:{{join .Imports " "}}`, "policybot/...").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, imports, _ := strings.Cut(line, ":")
		for _, imp := range strings.Fields(imports) {
			if strings.HasPrefix(imp, "github.com/go-telegram/bot") && pkg != "policybot/bot" {
				t.Errorf("%s imports %s; only policybot/bot may", pkg, imp)
			}
			if imp == "policybot/bot" && pkg != "policybot/cmd/policybot" {
				t.Errorf("%s imports policybot/bot; only cmd/policybot may", pkg)
			}
		}
	}
}
