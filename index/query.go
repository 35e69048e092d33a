package index

import (
	"math"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"
)

// stopWords are the words of a question that say how it is asked, not what it is about: question
// words, particles, pronouns and auxiliaries. They are left out of the search.
var stopWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`
		怎么 怎样 怎么样 如何 怎么办 咋 咋办 哪些 哪个 哪里 哪儿 哪 哪家 什么 啥 多少 几 几个 几家 是否 是不是
		有没有 能不能 可不可以 会不会 吗 呢 吧 啊 呀 嘛 么 哦 了 的 地 得 着 过 是 有 在 和 与 及 以及 或 或者
		还是 对 为 为了 给 被 把 让 向 从 到 于 也 都 还 就 又 再 才 很 最 更 这 那 这个 那个 这些 那些 其 之
		我 我们 你 你们 您 他 她 它 他们 她们 自己 本人 个人 想 想要 要 需要 请问 请 能 能否 可以 可否 应该
		应当 该 会 去 来 一下 一些 一个 有些 有关 相关 关于 具体 目前 现在 呢 等 等等 啦 吗 哈 问 问下 咨询
		情况 一般 如果 假如 要是 的话 时候 怎么回事 回事 干什么 做什么 干嘛 为什么 何种 哪种 什么样 有何`) {
		m[w] = true
	}
	return m
}()

// Weights of the words of a question.
const (
	weightWord    = 1.0  // a word of the question
	weightSub     = 0.5  // a shorter dictionary word inside it (十四 in 十四五)
	weightSynonym = 0.85 // a word the synonym list adds
	weightSingle  = 0.35 // a word of one character: 家, 领, 金
)

// qterm is one term the search looks for.
type qterm struct {
	text   string
	weight float64
	covers []int // the question words (groups) it stands for
	direct bool  // a word of the question, or a shorter word inside one, rather than only a synonym's
	df     uint64
	idf    float64
}

// synAlt is a synonym of words of the question: the words it is written with stand for them together
// (解除 and 劳动合同 for 辞退), not each alone.
type synAlt struct {
	covers []int    // the question's words (groups)
	words  []string // the synonym's words
}

// qgroup is one word of the question, for measuring how much of the question a passage covers.
type qgroup struct {
	text   string
	weight float64 // importance: the word's IDF, scaled down for single characters
	// read is set when no document uses the word and it was read as the corpus's words that sound
	// like it or that it shortens.
	read bool
}

// query is an analysed question.
type query struct {
	raw, folded   string
	terms         []qterm
	groups        []qgroup
	regions       []string     // corpus regions named in the question
	regionDocs    map[int]bool // their documents
	unknownPlaces []string     // place names the corpus never mentions
	quantity      bool         // the question asks how many, how much, what rate
	yesNo         bool         // the question asks yes or no
	subject       string       // what the question asks the definition of (什么是……)
	intro         uint32       // the attributes the question asks about (条件, 材料: see introduction)
	alts          []synAlt     // the synonyms of its words
	readAs        []string     // words no document uses, as read: "补帖→补贴"
	years         []string     // years the question names
}

var yearRe = regexp.MustCompile(`(?:19|20)\d{2}`)

// yesNoRe matches the ways a question asks for a yes or a no.
var yesNoRe = regexp.MustCompile(`吗[？?！!。]?\s*$|吗[？?]|是否|能否|可否|可不可以|能不能|是不是|有没有|会不会|要不要|需不需要|用不用`)

// quantityCues are the ways a question asks for a figure.
var quantityCues = []string{"多少", "几", "多大", "多高", "多长", "多久", "比例", "比率", "标准是", "目标是", "数量", "规模", "百分", "金额", "额度"}

// analyse cuts a question into the terms to search for: its words without question words and
// particles, the dictionary words inside long words at half weight, and the words of synonyms.
func (ix *Index) analyse(q string) *query {
	folded := ix.seg.Fold(q)
	qu := &query{raw: q, folded: folded}
	qu.years = yearRe.FindAllString(folded, -1)
	qu.yesNo = yesNoRe.MatchString(folded)
	qu.subject = definitionSubject(folded)
	qu.intro = introduction(folded)
	for _, c := range quantityCues {
		if strings.Contains(folded, c) {
			qu.quantity = true
			break
		}
	}
	qu.regions, qu.regionDocs = ix.places.find(folded)
	byText := map[string]int{}
	add := func(text string, w float64, covers []int) {
		if i, ok := byText[text]; ok {
			t := &qu.terms[i]
			if w > t.weight {
				t.weight = w
			}
			for _, g := range covers {
				if !containsInt(t.covers, g) {
					t.covers = append(t.covers, g)
				}
			}
			return
		}
		byText[text] = len(qu.terms)
		qu.terms = append(qu.terms, qterm{text: text, weight: w, covers: append([]int(nil), covers...)})
	}
	toks := ix.seg.Tokenize(folded)
	// The longest token at a position is the question's word; the others are sub-words inside it.
	longest := map[int]string{}
	for _, t := range toks {
		if utf8.RuneCountInString(t.Term) > utf8.RuneCountInString(longest[t.Pos]) {
			longest[t.Pos] = t.Term
		}
	}
	groupAt := map[int]int{} // token position -> group
	type span struct{ start, end, group int }
	var spans []span
	for _, t := range toks {
		if stopWords[t.Term] || stopWords[longest[t.Pos]] {
			continue
		}
		g, ok := groupAt[t.Pos]
		if !ok {
			g = len(qu.groups)
			groupAt[t.Pos] = g
			qu.groups = append(qu.groups, qgroup{text: longest[t.Pos]})
		}
		w := weightWord
		if utf8.RuneCountInString(t.Term) == 1 {
			w = weightSingle
		}
		if t.Term != longest[t.Pos] {
			w *= weightSub
		}
		add(t.Term, w, []int{g})
		qu.terms[byText[t.Term]].direct = true
		spans = append(spans, span{t.Start, t.End, g})
	}
	// Synonyms: the phrases found in the question bring their counterparts, which stand for the
	// question words the phrase spans.
	for key, alts := range ix.syn.Expand(folded) {
		at := strings.Index(folded, key)
		var covers []int
		for _, s := range spans {
			if s.start >= at && s.end <= at+len(key) && !containsInt(covers, s.group) {
				covers = append(covers, s.group)
			}
		}
		if len(covers) == 0 {
			continue
		}
		for _, alt := range alts {
			a := synAlt{covers: covers}
			for _, t := range ix.seg.Tokenize(alt) {
				if stopWords[t.Term] {
					continue
				}
				w := weightSynonym
				if utf8.RuneCountInString(t.Term) == 1 {
					w = weightSingle * weightSynonym
				}
				add(t.Term, w, covers)
				if !t.Sub {
					a.words = append(a.words, t.Term)
				}
			}
			if len(a.words) > 0 {
				qu.alts = append(qu.alts, a)
			}
		}
	}
	// A word no document uses may be mistyped, or shortened: the corpus's words that sound like it,
	// or that it shortens, stand for it.
	for g, gr := range qu.groups {
		var alikes []string
		if r := ix.places.soundAlike(gr.text); r != "" {
			alikes = []string{r} // a region of the corpus mistyped, though the word is a word
			// Read as the region, the word as typed (同仁 in 一视同仁) says less of the question.
			if i, ok := byText[gr.text]; ok {
				qu.terms[i].weight *= weightSub
			}
		} else if _, ok := ix.fwd.lookup(gr.text); !ok && !stopWords[gr.text] {
			alikes = ix.soundAlikes(gr.text, maxAlikes)
		}
		if len(alikes) == 0 {
			// Perhaps shortened (失业金 for 失业保险金): the corpus's words it shortens stand for it, as a
			// synonym would.
			if _, ok := ix.fwd.lookup(gr.text); !ok && !stopWords[gr.text] {
				for _, long := range ix.expansions(gr.text, maxAlikes) {
					qu.groups[g].read = true
					qu.readAs = append(qu.readAs, gr.text+"→"+long)
					add(long, weightSynonym, []int{g})
					qu.alts = append(qu.alts, synAlt{covers: []int{g}, words: []string{long}})
				}
			}
		}
		for _, alike := range alikes {
			qu.groups[g].read = true
			qu.readAs = append(qu.readAs, gr.text+"→"+alike)
			add(alike, weightSynonym, []int{g})
			qu.terms[byText[alike]].direct = true
			if regions, docs := ix.places.find(alike); len(regions) > 0 {
				for _, r := range regions {
					if !contains(qu.regions, r) {
						qu.regions = append(qu.regions, r)
					}
				}
				for d := range docs {
					qu.regionDocs[d] = true
				}
			}
		}
	}
	if len(qu.terms) > maxTerms {
		// A message this long is not a question; keep its weightiest words.
		sort.SliceStable(qu.terms, func(i, j int) bool { return qu.terms[i].weight > qu.terms[j].weight })
		qu.terms = qu.terms[:maxTerms]
	}
	return qu
}

// maxAlikes is the most words of the corpus a mistyped word is looked for as.
const maxAlikes = 2

// maxTerms is the most terms a search looks for (a search tracks the terms a passage holds in the
// bits of a uint32).
const maxTerms = 32

// weighGroups weighs each word of the question by its rarity (the IDF of the word itself, or the
// rarest IDF for a word no passage uses), scaled down for single characters.
func (q *query) weighGroups(n uint64) {
	maxIDF := idf(n, 0)
	for gi := range q.groups {
		g := &q.groups[gi]
		g.weight = maxIDF
		for _, t := range q.terms {
			if t.text == g.text && t.df > 0 {
				g.weight = t.idf
			}
		}
		if utf8.RuneCountInString(g.text) == 1 {
			g.weight *= weightSingle
		}
	}
}

// idf is BM25's inverse document frequency of a term found in df of n passages.
func idf(n, df uint64) float64 {
	return math.Log(1 + (float64(n)-float64(df)+0.5)/(float64(df)+0.5))
}
