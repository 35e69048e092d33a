package index

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/yanyiwu/gojieba"
)

// TestCutEach: reading jieba's words in place gives gojieba.Tokenize's words, spans and main-word
// flags, on every line of the seed documents and on odd texts.
func TestCutEach(t *testing.T) {
	seg := shared.seg
	texts := []string{"", " ", "　", "a", "Copyright 2022 ©", "创业担保贷款", "失业保险金申领条件是什么？", "😀就业😀", "第一条\n第二条\t第三条", strings.Repeat("人力资源和社会保障局", 300)}
	files, _ := filepath.Glob(filepath.Join(seedDocs, "*.txt"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		texts = append(texts, strings.Split(string(b), "\n")...)
	}
	if len(texts) < 500 {
		t.Fatalf("only %d texts", len(texts))
	}
	words := 0
	for _, text := range texts {
		folded := seg.prepare(text)
		want := seg.jieba.Tokenize(folded, gojieba.SearchMode, true)
		wantMain := make([]bool, len(want))
		curStart, curEnd := -1, -1
		for i := len(want) - 1; i >= 0; i-- {
			w := want[i]
			if curStart >= 0 && w.Start >= curStart && w.End <= curEnd && w.End-w.Start < curEnd-curStart {
				continue
			}
			wantMain[i] = true
			curStart, curEnd = w.Start, w.End
		}
		got, gotMain := seg.cut(folded)
		if !slices.Equal(got, want) || !slices.Equal(gotMain, wantMain) {
			t.Fatalf("cut(%q) = %v %v, gojieba gives %v %v", folded, got, gotMain, want, wantMain)
		}
		words += len(got)
	}
	if words < 10000 {
		t.Errorf("only %d words cut", words)
	}
}
