package corpus

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/wlynxg/chardet"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	unicodeenc "golang.org/x/text/encoding/unicode"

	"policybot/internal/script"
)

// ErrNotText reports a file that cannot be read as text in any encoding corpus knows: binary data,
// an unknown encoding, or text that decodes mostly to garbage.
var ErrNotText = errors.New("corpus: not readable as text")

// ErrEmpty reports a file with no text in it.
var ErrEmpty = errors.New("corpus: empty")

// The encodings Decode reports.
const (
	EncUTF8    = "UTF-8"
	EncUTF16LE = "UTF-16LE"
	EncUTF16BE = "UTF-16BE"
	EncGB18030 = "GB18030"
	EncBig5    = "Big5"
)

// Decode turns the bytes of a text file into UTF-8 text with LF line ends and reports the encoding it
// found: UTF-8 (with or without a byte-order mark), UTF-16 with a byte-order mark, GB18030 (which
// covers GBK and GB2312) or Big5. NUL and other control characters except tab and newline are
// dropped. It returns ErrEmpty for a file with no text and ErrNotText for binary data or text that
// decodes mostly to replacement characters.
func Decode(b []byte) (string, string, error) {
	text, enc, err := decode(b)
	if err != nil {
		return "", "", err
	}
	text = clean(text)
	if strings.TrimSpace(text) == "" {
		return "", enc, ErrEmpty
	}
	if garbled(text) {
		return "", enc, fmt.Errorf("%w: decoded as %s it is mostly garbled characters", ErrNotText, enc)
	}
	return text, enc, nil
}

func decode(b []byte) (string, string, error) {
	switch {
	case len(b) == 0:
		return "", EncUTF8, ErrEmpty
	case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
		return string(b[3:]), EncUTF8, nil
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}):
		s, err := with(unicodeenc.UTF16(unicodeenc.LittleEndian, unicodeenc.ExpectBOM), b)
		return s, EncUTF16LE, err
	case bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		s, err := with(unicodeenc.UTF16(unicodeenc.BigEndian, unicodeenc.ExpectBOM), b)
		return s, EncUTF16BE, err
	}
	if binary(b) {
		return "", "", fmt.Errorf("%w: binary data", ErrNotText)
	}
	if utf8.Valid(b) {
		return string(b), EncUTF8, nil
	}
	// Not UTF-8: a legacy Chinese encoding. chardet tells GBK/GB18030 from Big5; when it names neither,
	// the decoding that yields more common Chinese characters wins.
	guess := strings.ToUpper(chardet.Detect(b).Encoding)
	gb, gbErr := with(simplifiedchinese.GB18030, b)
	big5, big5Err := with(traditionalchinese.Big5, b)
	switch {
	case strings.Contains(guess, "GB") && gbErr == nil:
		return gb, EncGB18030, nil
	case strings.Contains(guess, "BIG5") && big5Err == nil:
		return big5, EncBig5, nil
	case gbErr == nil && (big5Err != nil || hanShare(gb) >= hanShare(big5)):
		return gb, EncGB18030, nil
	case big5Err == nil:
		return big5, EncBig5, nil
	}
	return "", "", fmt.Errorf("%w: not UTF-8, GB18030 or Big5", ErrNotText)
}

func with(enc encoding.Encoding, b []byte) (string, error) {
	out, err := enc.NewDecoder().Bytes(b)
	if err != nil {
		return "", err
	}
	return string(out), nil
}

// binary reports data that holds NUL bytes or many other control bytes, as images, archives and
// executables do and text (other than UTF-16, checked before) does not.
func binary(b []byte) bool {
	sample := b
	if len(sample) > 8192 {
		sample = sample[:8192]
	}
	ctl := 0
	for _, c := range sample {
		if c == 0 {
			return true
		}
		if c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f' && c != 0x1B {
			ctl++
		}
	}
	return ctl*20 > len(sample)
}

// hanShare is the share of runes in s that are CJK ideographs.
func hanShare(s string) float64 {
	var han, all int
	for _, r := range s {
		if unicode.IsSpace(r) {
			continue
		}
		all++
		if unicode.Is(unicode.Han, r) {
			han++
		}
	}
	if all == 0 {
		return 0
	}
	return float64(han) / float64(all)
}

// clean normalises line ends to LF and drops the byte-order mark, NUL and control characters other
// than tab and newline; invalid UTF-8 becomes U+FFFD.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t':
			return r
		case r == '\uFEFF' || r == '\u200B':
			return -1
		case unicode.IsControl(r):
			return -1
		}
		return r
	}, s)
}

// garbled reports text in which replacement characters, or the Latin-1 letters that UTF-8 read as
// Latin-1 turns into ("å°±ä¸š"), make up a large share of the letters.
func garbled(s string) bool {
	var letters, bad, latin int
	for _, r := range s {
		if script.Ideograph(r) {
			letters++
			continue
		}
		if unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsDigit(r) {
			continue
		}
		letters++
		switch {
		case r == '\uFFFD':
			bad++
		case r >= 0x80 && r <= 0x24F:
			latin++
		}
	}
	if letters == 0 {
		return false
	}
	return bad*10 > letters || latin*3 > letters
}
