package querylog

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"policybot/internal/script"
)

// normalize folds a question for grouping recurrences of the same question: compatibility forms
// (full-width), traditional script to simplified, case, and everything but letters and digits
// dropped, so "失业金怎么领？", "失业金 怎么领" and "失業金怎麼領" group together.
func normalize(conv *script.Converter, question string) string {
	s := conv.ToSimplified(norm.NFKC.String(question))
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsNumber(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}
