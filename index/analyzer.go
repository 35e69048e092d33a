package index

import (
	"fmt"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"
)

// TokenizerName is the Bleve tokenizer type that cuts text with jieba (see Segmenter). Its config
// names the segmenter by the hash of its user dictionary: {"type": "jieba", "segmenter": HASH}.
const TokenizerName = "jieba"

// segmenters holds the loaded segmenters by user-dictionary hash: indexes built with the same user
// dictionary share one (jieba costs 150 MB), and Bleve's registry, which calls the tokenizer
// constructor with nothing but the config of an index's mapping, finds it here. This is the one piece
// of package state, as the registry requires.
var (
	segMu      sync.Mutex
	segmenters = map[string]*sharedSegmenter{}
)

type sharedSegmenter struct {
	seg  *Segmenter
	refs int
}

func init() {
	registry.RegisterTokenizer(TokenizerName, func(config map[string]interface{}, _ *registry.Cache) (analysis.Tokenizer, error) {
		key, _ := config["segmenter"].(string)
		segMu.Lock()
		defer segMu.Unlock()
		s, ok := segmenters[key]
		if !ok {
			return nil, fmt.Errorf("jieba tokenizer: segmenter %q is not loaded", key)
		}
		return tokenizer{s.seg}, nil
	})
}

// acquireSegmenter returns the shared segmenter for the user dictionary at userDict, loading it if no
// index holds it yet. Each call must be paired with releaseSegmenter.
func acquireSegmenter(dataDir, userDict string) (*Segmenter, error) {
	user, err := readUserDict(userDict)
	if err != nil {
		return nil, err
	}
	hash := hashOf(user)
	segMu.Lock()
	defer segMu.Unlock()
	if s, ok := segmenters[hash]; ok {
		s.refs++
		return s.seg, nil
	}
	seg, err := newSegmenter(dataDir, user, hash)
	if err != nil {
		return nil, err
	}
	segmenters[hash] = &sharedSegmenter{seg: seg, refs: 1}
	return seg, nil
}

// releaseSegmenter gives back a segmenter from acquireSegmenter and frees it when no index holds it.
func releaseSegmenter(seg *Segmenter) {
	segMu.Lock()
	defer segMu.Unlock()
	s, ok := segmenters[seg.UserDictHash]
	if !ok || s.seg != seg {
		return
	}
	if s.refs--; s.refs == 0 {
		delete(segmenters, seg.UserDictHash)
		seg.Close()
	}
}

// tokenizer adapts a Segmenter to Bleve.
type tokenizer struct{ seg *Segmenter }

func (t tokenizer) Tokenize(input []byte) analysis.TokenStream {
	toks := t.seg.Tokenize(string(input))
	out := make(analysis.TokenStream, len(toks))
	for i, tk := range toks {
		typ := analysis.AlphaNumeric
		if r, _ := utf8.DecodeRuneInString(tk.Term); unicode.Is(unicode.Han, r) {
			typ = analysis.Ideographic
		}
		out[i] = &analysis.Token{Term: []byte(tk.Term), Start: tk.Start, End: tk.End, Position: tk.Pos, Type: typ}
	}
	return out
}
