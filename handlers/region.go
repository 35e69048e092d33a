package handlers

import (
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"
)

// countyLevel is the third level of a region as documents write it (贵州省铜仁市碧江区).
var countyLevel = regexp.MustCompile(`^\p{Han}{2,}?(?:县|区|市|旗)`)

// regionLevels splits a region as a document writes it into its levels, outermost first: 贵州省铜仁市
// → 贵州省, 铜仁市; 湖南省 → 湖南省. A name no level pattern reads (全国) is one level.
func regionLevels(region string) []string {
	var out []string
	rest := strings.TrimSpace(region)
	for _, re := range []*regexp.Regexp{provinceLevel, innerLevel, countyLevel} {
		if m := re.FindString(rest); m != "" {
			out = append(out, m)
			rest = rest[len(m):]
		}
	}
	if len(out) == 0 && rest != "" {
		out = append(out, rest)
	}
	return out
}

// RegionSep joins the regions of a question that names several, as the query log stores them.
const RegionSep = "、"

// CorpusRegion returns the region or regions a mention names (a question's, or a person's /region
// choice; several joined by RegionSep) as the corpus's documents name them, given the documents'
// regions (corpus.Document.Region, e.g. 贵州省铜仁市): 铜仁, 铜仁市 and 贵州铜仁 are all 铜仁市, 贵州 is
// 贵州省. When a mention names a place and the province it lies in (贵州省、铜仁市), only the place is
// kept. A region the corpus does not have (北京) is returned as mentioned, so that admins still see
// what was asked about; "" stays "".
func CorpusRegion(mention string, regions []string) string {
	if strings.TrimSpace(mention) == "" {
		return ""
	}
	// Each level of each document's region, by its names: the level as written, and without its
	// administrative suffix when two characters or more are left (铜仁市 → 铜仁).
	type level struct {
		name  string // as the documents write it
		depth int    // 0 province, 1 city, 2 county
		of    string // the document region it belongs to
	}
	byName := map[string]level{}
	for _, r := range regions {
		for depth, l := range regionLevels(r) {
			lv := level{l, depth, r}
			for _, n := range []string{l, trimSuffix(l)} {
				if old, ok := byName[n]; !ok || depth > old.depth {
					byName[n] = lv
				}
			}
		}
	}
	var found []level
	var kept []string // mentions the corpus has no region for
	for _, part := range strings.Split(mention, RegionSep) {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if lv, ok := byName[part]; ok {
			found = append(found, lv)
			continue
		}
		// A mention of several levels or places at once (贵州铜仁, 安康和铜仁): each level it names, in
		// the order it names them; a province beside its place is left out below.
		var in []level
		at := map[string]int{}
		for n, lv := range byName {
			i := strings.Index(part, n)
			if utf8.RuneCountInString(n) < 2 || i < 0 {
				continue
			}
			if j, ok := at[lv.name]; !ok || i < j {
				if !ok {
					in = append(in, lv)
				}
				at[lv.name] = i
			}
		}
		if len(in) == 0 {
			kept = append(kept, part)
			continue
		}
		sort.Slice(in, func(a, b int) bool { return at[in[a].name] < at[in[b].name] })
		found = append(found, in...)
	}
	var out []string
	for _, lv := range found {
		// A province beside a place in it says nothing more.
		inner := false
		for _, o := range found {
			if o.depth > lv.depth && strings.HasPrefix(o.of, lv.name) {
				inner = true
			}
		}
		if !inner && !slices.Contains(out, lv.name) {
			out = append(out, lv.name)
		}
	}
	for _, k := range kept {
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return strings.Join(out, RegionSep)
}

// trimSuffix is a region level without its administrative suffix, when two characters or more are
// left; else the level.
func trimSuffix(level string) string {
	for _, s := range regionSuffixes {
		if base := strings.TrimSuffix(level, s); base != level && utf8.RuneCountInString(base) >= 2 {
			return base
		}
	}
	return level
}

// docRegions are the regions of the corpus's documents, as they write them.
func (h *Handlers) docRegions() []string {
	var out []string
	for _, d := range h.search.Documents() {
		if d.Region != "" && !slices.Contains(out, d.Region) {
			out = append(out, d.Region)
		}
	}
	return out
}
