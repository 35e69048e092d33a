package index

import (
	"bufio"
	"fmt"
	"os"
	"sort"
	"strings"
)

// Synonyms maps how people ask to how documents write. The file format is Solr's synonyms.txt:
//
//	# a comment
//	失业金 => 失业保险金            (a question that says 失业金 also looks for 失业保险金)
//	大学生, 高校学生 => 高校毕业生
//	公益岗, 公益性岗位              (each looks for the others)
//
// Words are compared folded (simplified script, half-width, lower case).
type Synonyms struct {
	rules map[string][]string // folded phrase -> folded phrases to look for as well
	keys  []string            // longest first
}

// ReadSynonyms reads a synonym file; a path of "" gives an empty list. It returns an error naming the
// file and line for a line it cannot read.
func ReadSynonyms(path string, seg *Segmenter) (*Synonyms, error) {
	s := &Synonyms{rules: map[string][]string{}}
	if path == "" {
		return s, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read synonyms: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if i := strings.Index(line, "#"); i >= 0 {
			line = strings.TrimSpace(line[:i])
		}
		if line == "" {
			continue
		}
		from, to, explicit := strings.Cut(line, "=>")
		lhs := phrases(from, seg)
		rhs := lhs
		if explicit {
			rhs = phrases(to, seg)
		}
		if len(lhs) == 0 || len(rhs) == 0 || !explicit && len(lhs) < 2 {
			return nil, fmt.Errorf("read synonyms %s:%d: want \"a => b\" or \"a, b\"", path, n)
		}
		for _, k := range lhs {
			for _, v := range rhs {
				if v != k && !contains(s.rules[k], v) {
					s.rules[k] = append(s.rules[k], v)
				}
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read synonyms %s: %w", path, err)
	}
	for k := range s.rules {
		s.keys = append(s.keys, k)
	}
	sort.Slice(s.keys, func(i, j int) bool {
		if len(s.keys[i]) != len(s.keys[j]) {
			return len(s.keys[i]) > len(s.keys[j])
		}
		return s.keys[i] < s.keys[j]
	})
	return s, nil
}

func phrases(list string, seg *Segmenter) []string {
	var out []string
	for _, p := range strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == '，' || r == '、' }) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, seg.Fold(p))
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Expand returns, for each phrase of the synonym list found in folded text, the phrases to look for
// as well. A phrase inside a longer phrase that was found is skipped (失业保险金 found, 失业金 not).
func (s *Synonyms) Expand(folded string) map[string][]string {
	out := map[string][]string{}
	var found []string
	for _, k := range s.keys {
		if !strings.Contains(folded, k) {
			continue
		}
		inside := false
		for _, f := range found {
			if strings.Contains(f, k) {
				inside = true
				break
			}
		}
		if inside {
			continue
		}
		found = append(found, k)
		out[k] = s.rules[k]
	}
	return out
}

// Len is the number of phrases the list knows.
func (s *Synonyms) Len() int { return len(s.keys) }
