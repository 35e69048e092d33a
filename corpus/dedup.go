package corpus

import (
	"hash/fnv"
	"math"
	"sort"
	"unicode"

	"policybot/internal/parallel"
	"policybot/internal/script"
)

// Near-duplicates: a redacted copy of a document (figures replaced by ***, place names by **, other
// punctuation) says the same thing in the same words. Both are compared by their skeleton: the letters
// that are neither masked nor figures.

// Skeleton returns the letters of text that survive redaction, lower case, full-width letters as
// half-width: no digits, masks (*), punctuation, symbols or spaces. Two versions of a passage that
// differ only in figures, masked words or punctuation have nearly the same skeleton.
func Skeleton(text string) string {
	return string(skeleton(text))
}

// skeleton is Skeleton as runes. Only letters survive, so folding full-width forms (the one
// difference of Unicode compatibility forms that matters for letters in these documents) is enough;
// a full normalisation of every document cost more than the rest of the comparison.
func skeleton(text string) []rune {
	out := make([]rune, 0, len(text)/3)
	for _, r := range text {
		if script.Ideograph(r) {
			out = append(out, r)
			continue
		}
		if r >= 0xFF21 && r <= 0xFF5A { // Ａ-Ｚ, ａ-ｚ (and the symbols between, dropped below)
			r -= 0xFEE0
		}
		if unicode.IsLetter(r) {
			out = append(out, unicode.ToLower(r))
		}
	}
	return out
}

// Masks counts the runs of masking characters (*, ＊, ×) in text: how much of it was redacted.
func Masks(text string) int {
	n, in := 0, false
	for _, r := range text {
		m := r == '*' || r == '＊' || r == '×'
		if m && !in {
			n++
		}
		in = m
	}
	return n
}

// Shingles returns the set of hashed k-rune windows of s.
func Shingles(s string, k int) map[uint64]struct{} {
	rs := []rune(s)
	out := make(map[uint64]struct{}, len(rs))
	windows(rs, k, func(h uint64) { out[h] = struct{}{} })
	return out
}

// windows calls f with the hash of each k-rune window of rs (or of rs whole when it is shorter),
// without building the windows as strings.
func windows(rs []rune, k int, f func(uint64)) {
	if len(rs) == 0 {
		return
	}
	if len(rs) < k {
		k = len(rs)
	}
	for i := 0; i+k <= len(rs); i++ {
		h := uint64(14695981039346656037) // FNV-1a over the runes' values
		for _, r := range rs[i : i+k] {
			h ^= uint64(r)
			h *= 1099511628211
		}
		f(h)
	}
}

// Resemblance is the Jaccard similarity of two shingle sets, from 0 (nothing shared) to 1.
func Resemblance(a, b map[uint64]struct{}) float64 {
	if len(a) == 0 && len(b) == 0 {
		return 1
	}
	if len(a) > len(b) {
		a, b = b, a
	}
	shared := 0
	for x := range a {
		if _, ok := b[x]; ok {
			shared++
		}
	}
	return float64(shared) / float64(len(a)+len(b)-shared)
}

// Duplicate is a pair of near-duplicate documents.
type Duplicate struct {
	A, B       string  // document ids, A < B
	Similarity float64 // estimated resemblance of their skeletons
}

const (
	minhashes = 64
	bands     = 16 // of minhashes/bands rows each: pairs above ~0.6 resemblance are nearly always found
	// DuplicateThreshold is the resemblance above which two documents count as near-duplicates.
	DuplicateThreshold = 0.7
)

// NearDuplicates finds pairs of documents whose skeletons resemble each other above
// DuplicateThreshold, using MinHash signatures with locality-sensitive hashing, so it scales to tens of
// thousands of documents.
func NearDuplicates(docs []*Document) []Duplicate {
	sigs := make([]Signature, len(docs))
	parallel.For(len(docs), func(i int) { sigs[i] = Sign(docs[i].Text) })
	ids := make([]string, len(docs))
	for i, d := range docs {
		ids[i] = d.ID
	}
	return Duplicates(ids, sigs)
}

// Signature is a document's MinHash signature, all NearDuplicates needs of its text: a build that
// reads documents one at a time keeps their signatures, not their text.
type Signature [minhashes]uint64

// Sign returns the signature of a document's text.
func Sign(text string) Signature { return minhash(skeleton(text), 5) }

// Duplicates finds the near-duplicates among documents by their ids and signatures (see
// NearDuplicates).
func Duplicates(ids []string, sigs []Signature) []Duplicate {
	rows := minhashes / bands
	candidates := map[[2]int]bool{}
	for b := 0; b < bands; b++ {
		buckets := map[uint64][]int{}
		for i := range sigs {
			h := fnv.New64a()
			for r := 0; r < rows; r++ {
				v := sigs[i][b*rows+r]
				for k := 0; k < 8; k++ {
					h.Write([]byte{byte(v >> (8 * k))})
				}
			}
			key := h.Sum64()
			buckets[key] = append(buckets[key], i)
		}
		for _, ids := range buckets {
			for x := 0; x < len(ids); x++ {
				for y := x + 1; y < len(ids); y++ {
					candidates[[2]int{ids[x], ids[y]}] = true
				}
			}
		}
	}
	var out []Duplicate
	for c := range candidates {
		same := 0
		for k := 0; k < minhashes; k++ {
			if sigs[c[0]][k] == sigs[c[1]][k] {
				same++
			}
		}
		sim := float64(same) / minhashes
		if sim < DuplicateThreshold {
			continue
		}
		a, b := ids[c[0]], ids[c[1]]
		if a > b {
			a, b = b, a
		}
		out = append(out, Duplicate{A: a, B: b, Similarity: math.Round(sim*100) / 100})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].A != out[j].A {
			return out[i].A < out[j].A
		}
		return out[i].B < out[j].B
	})
	return out
}

// minhash computes the MinHash signature of the k-rune windows of rs: for each of the seeded hash
// functions, the smallest value over the windows (a window seen twice changes nothing).
func minhash(rs []rune, k int) [minhashes]uint64 {
	var sig [minhashes]uint64
	for k := range sig {
		sig[k] = math.MaxUint64
	}
	windows(rs, k, func(x uint64) {
		for k := range sig {
			// A cheap family of hash functions: multiply-xorshift with per-function odd seeds.
			v := (x ^ seeds[k]) * 0x9E3779B97F4A7C15
			v ^= v >> 31
			if v < sig[k] {
				sig[k] = v
			}
		}
	})
	return sig
}

var seeds = func() [minhashes]uint64 {
	var s [minhashes]uint64
	x := uint64(0x243F6A8885A308D3)
	for i := range s {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		s[i] = x | 1
	}
	return s
}()
