package index

/*
#include <stdlib.h>

// A word as gojieba's C layer returns it (jieba.h): its byte offset and length in the sentence.
typedef struct { size_t offset; size_t len; } jiebaWord;

// gojieba's own C function (jieba.h), linked in with its package: the words of sentence, in an
// array that ends with a word of length 0, to be freed with free.
extern void* Tokenize(void* handle, const char* sentence, int mode, int is_hmm_used);

static jiebaWord* cutForSearch(void* handle, const char* sentence) {
	return (jiebaWord*)Tokenize(handle, sentence, 1, 1); // SearchMode, with the HMM
}
*/
import "C"

import (
	"runtime"
	"sync"
	"unsafe"

	"github.com/yanyiwu/gojieba"
)

// gojieba's Tokenize makes a Go slice of its words, 32 bytes each, grown by appending: a fifth of
// what a build allocated, for words it then only reads. cutEach reads jieba's C array in place,
// through gojieba's own C function and its Jieba's handle, the first word of gojieba.Jieba (v1.4.7;
// TestCutEach checks both against gojieba.Tokenize).

// jiebaHandle is the C handle of j.
func jiebaHandle(j *gojieba.Jieba) unsafe.Pointer { return *(*unsafe.Pointer)(unsafe.Pointer(j)) }

// mainPool holds the main-word flags of cutEach's calls.
var mainPool = sync.Pool{New: func() any { return new([]bool) }}

// cutEach cuts folded text with jieba in search mode, as gojieba.Tokenize(folded, SearchMode, true)
// does, and calls fn with each word's byte span in folded, in jieba's order, and whether it is a main
// word. Search mode puts the dictionary words found inside a long word just before it: walking back,
// a word inside the span of the last main word seen is such a sub-word.
func (s *Segmenter) cutEach(folded string, fn func(start, end int, main bool)) {
	cs := C.CString(folded)
	defer C.free(unsafe.Pointer(cs))
	ws := C.cutForSearch(jiebaHandle(s.jieba), cs)
	runtime.KeepAlive(s.jieba)
	if ws == nil {
		return
	}
	defer C.free(unsafe.Pointer(ws))
	n := 0
	for p := ws; p.len != 0; p = (*C.jiebaWord)(unsafe.Add(unsafe.Pointer(p), unsafe.Sizeof(*p))) {
		n++
	}
	words := unsafe.Slice(ws, n)
	// Words whose span does not fit folded are dropped, as gojieba drops them.
	fits := func(w C.jiebaWord) bool { return int(w.offset)+int(w.len) <= len(folded) }
	mp := mainPool.Get().(*[]bool)
	main := *mp
	if cap(main) < n {
		main = make([]bool, n)
	} else {
		main = main[:n]
		clear(main)
	}
	curStart, curEnd := -1, -1
	for i := n - 1; i >= 0; i-- {
		if !fits(words[i]) {
			continue
		}
		start, end := int(words[i].offset), int(words[i].offset)+int(words[i].len)
		if curStart >= 0 && start >= curStart && end <= curEnd && end-start < curEnd-curStart {
			continue
		}
		main[i] = true
		curStart, curEnd = start, end
	}
	for i, w := range words {
		if fits(w) {
			fn(int(w.offset), int(w.offset)+int(w.len), main[i])
		}
	}
	*mp = main
	mainPool.Put(mp)
}

// cut is cutEach's words as gojieba.Word, with their main-word flags.
func (s *Segmenter) cut(folded string) ([]gojieba.Word, []bool) {
	var words []gojieba.Word
	var main []bool
	s.cutEach(folded, func(start, end int, m bool) {
		words = append(words, gojieba.Word{Str: folded[start:end], Start: start, End: end})
		main = append(main, m)
	})
	return words, main
}
