package bot

import (
	"strings"

	"policybot/handlers"
)

// ConsoleSeparator is the line the console chat prints after each answer.
const ConsoleSeparator = "────────"

// ConsoleText is an answer as the console chat prints it: PlainText, then, when the answer has
// buttons, their labels on one line in 〔〕, as the words a person types to press them.
func ConsoleText(a handlers.Answer) string {
	text := PlainText(a)
	if len(a.Actions) > 0 && a.ID != "" {
		var labels []string
		for _, act := range a.Actions {
			labels = append(labels, act.Label)
		}
		text += "\n〔" + strings.Join(labels, "〕〔") + "〕"
	}
	return text
}
