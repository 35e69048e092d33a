package corpus

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	unicodeenc "golang.org/x/text/encoding/unicode"
)

const (
	simpText = "铜仁市“十四五”促进城乡就业创业规划\n第一章 发展基础\n“十三五”期间，全市完成城镇新增就业23.74万人，促进失业人员再就业5.56万人。\n"
	tradText = "堅持“四個并重”統籌做好穩就業工作\n截至6月底，全省共有就業幫扶車間6798個，共吸納就業33.09萬人。\n"
)

func encode(t *testing.T, enc encoding.Encoding, s string) []byte {
	t.Helper()
	b, err := enc.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecode(t *testing.T) {
	tests := []struct {
		name    string
		in      []byte
		want    string
		wantEnc string
	}{
		{"utf8", []byte(simpText), simpText, EncUTF8},
		{"utf8 bom", append([]byte{0xEF, 0xBB, 0xBF}, simpText...), simpText, EncUTF8},
		{"gbk", encode(t, simplifiedchinese.GBK, simpText), simpText, EncGB18030},
		{"gb18030", encode(t, simplifiedchinese.GB18030, simpText), simpText, EncGB18030},
		{"big5", encode(t, traditionalchinese.Big5, tradText), tradText, EncBig5},
		{"utf16le bom", encode(t, unicodeenc.UTF16(unicodeenc.LittleEndian, unicodeenc.UseBOM), simpText), simpText, EncUTF16LE},
		{"utf16be bom", encode(t, unicodeenc.UTF16(unicodeenc.BigEndian, unicodeenc.UseBOM), tradText), tradText, EncUTF16BE},
		{"crlf", []byte(strings.ReplaceAll(simpText, "\n", "\r\n")), simpText, EncUTF8},
		{"cr", []byte(strings.ReplaceAll(simpText, "\n", "\r")), simpText, EncUTF8},
		{"gbk crlf", encode(t, simplifiedchinese.GBK, strings.ReplaceAll(simpText, "\n", "\r\n")), simpText, EncGB18030},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, enc, err := Decode(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("Decode = %q, want %q", got, tt.want)
			}
			if enc != tt.wantEnc {
				t.Errorf("encoding = %s, want %s", enc, tt.wantEnc)
			}
		})
	}
}

func TestDecodeRefuses(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00")
	// UTF-8 read as Latin-1 and saved again as UTF-8: "éä»…"
	mojibake, err := charmap.ISO8859_1.NewDecoder().Bytes([]byte(simpText))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		in   []byte
		want error
	}{
		{"empty", nil, ErrEmpty},
		{"blank", []byte(" \n\t\r\n "), ErrEmpty},
		{"binary", png, ErrNotText},
		{"mojibake", mojibake, ErrNotText},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Decode(tt.in)
			if !errors.Is(err, tt.want) {
				t.Errorf("Decode error = %v, want %v", err, tt.want)
			}
		})
	}
}

// FuzzDecode checks that Decode never fails badly and that its output is already normal: valid UTF-8
// with LF line ends, which decodes to itself.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(simpText))
	f.Add([]byte(tradText))
	f.Add([]byte("a\r\nb\rc\x00d"))
	f.Add([]byte{0xFF, 0xFE, 0x41, 0x00})
	f.Add([]byte{0xB9, 0xE3, 0xD4, 0xAA})
	f.Fuzz(func(t *testing.T, b []byte) {
		out, _, err := Decode(b)
		if err != nil {
			return
		}
		if !utf8.ValidString(out) || strings.ContainsAny(out, "\r\x00") {
			t.Fatalf("Decode output not normal: %q", out)
		}
		again, enc, err := Decode([]byte(out))
		if err != nil || again != out || enc != EncUTF8 {
			t.Fatalf("Decode(Decode(x)) = %q, %s, %v; want %q", again, enc, err, out)
		}
	})
}
