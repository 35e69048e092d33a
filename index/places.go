package index

import (
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"policybot/corpus"
)

// places knows the regions the corpus's documents are about, by every name a question may use for
// them: "贵州省铜仁市" is also 贵州省, 贵州, 铜仁市 and 铜仁.
type places struct {
	names []string          // folded names, longest first
	docs  map[string][]int  // folded name -> documents of that region
	canon map[string]string // folded name -> the region as the documents write it
	sound map[string]string // a name's sound (soundKey) -> the name
}

// regionLevels read a region name from its start, one administrative level at a time: province,
// prefecture, county ("贵州省铜仁市" is 贵州省 then 铜仁市).
var regionLevels = []*regexp.Regexp{
	regexp.MustCompile(`^\p{Han}{2,}?(?:省|自治区|特别行政区)`),
	regexp.MustCompile(`^\p{Han}{2,}?(?:市|自治州|地区|盟)`),
	regexp.MustCompile(`^\p{Han}{2,}?(?:县|区|市|旗)`),
}

// regionParts splits a region name into its levels.
func regionParts(region string) []string {
	var out []string
	for _, re := range regionLevels {
		if m := re.FindString(region); m != "" {
			out = append(out, m)
			region = region[len(m):]
		}
	}
	return out
}

// regionSuffix are the administrative suffixes a question may leave out (铜仁 for 铜仁市).
var regionSuffix = []string{"特别行政区", "自治区", "自治州", "地区", "省", "市", "州", "盟", "县", "区", "旗"}

func newPlaces(docs []*corpus.Document, seg *Segmenter) *places {
	p := &places{docs: map[string][]int{}, canon: map[string]string{}}
	for i, d := range docs {
		region := seg.Fold(d.Region)
		for _, part := range regionParts(region) {
			for _, name := range aliases(part) {
				if !containsInt(p.docs[name], i) {
					p.docs[name] = append(p.docs[name], i)
				}
				p.canon[name] = part
			}
		}
	}
	p.sound = map[string]string{}
	for n := range p.docs {
		p.names = append(p.names, n)
		if k := soundKey(n); k != "" {
			p.sound[k] = n
		}
	}
	sort.Slice(p.names, func(i, j int) bool {
		if len(p.names[i]) != len(p.names[j]) {
			return len(p.names[i]) > len(p.names[j])
		}
		return p.names[i] < p.names[j]
	})
	return p
}

// aliases returns a region name with and without its administrative suffix, when the rest has at least
// two characters.
func aliases(part string) []string {
	out := []string{part}
	for _, s := range regionSuffix {
		if base := strings.TrimSuffix(part, s); base != part && utf8.RuneCountInString(base) >= 2 {
			out = append(out, base)
			break
		}
	}
	return out
}

// find returns the corpus regions named in a folded question, as the documents write them, and the
// documents of those regions.
func (p *places) find(folded string) (regions []string, docs map[int]bool) {
	docs = map[int]bool{}
	taken := folded
	for _, n := range p.names {
		if !strings.Contains(taken, n) {
			continue
		}
		taken = strings.ReplaceAll(taken, n, " ")
		if c := p.canon[n]; !contains(regions, c) {
			regions = append(regions, c)
		}
		for _, d := range p.docs[n] {
			docs[d] = true
		}
	}
	return regions, docs
}

// soundAlike returns the corpus region name that word sounds like (同仁 for 铜仁), or "".
func (p *places) soundAlike(word string) string {
	if p.known(word) {
		return ""
	}
	return p.sound[soundKey(word)]
}

// known reports whether a folded name is one of the corpus's regions.
func (p *places) known(name string) bool {
	_, ok := p.docs[name]
	return ok
}

func containsInt(list []int, x int) bool {
	for _, v := range list {
		if v == x {
			return true
		}
	}
	return false
}
