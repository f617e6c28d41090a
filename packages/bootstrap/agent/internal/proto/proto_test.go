package proto

import (
	"strings"
	"syscall"
	"testing"
)

func TestDecode(t *testing.T) {
	var v struct {
		Header
		N *int64 `json:"n"`
	}
	if err := Decode([]byte(`{"v":1,"op":"x","n":3}`), &v); err != nil || *v.N != 3 || v.Op != "x" {
		t.Fatalf("decode: %v %+v", err, v)
	}
	for _, bad := range []string{`{"n":1.5}`, `{"m":1}`, `{"n":1} {}`, `[]`, ``, `{"n":"1"}`, `{` + strings.Repeat(" ", 70000) + `}`} {
		if err := Decode([]byte(bad), &v); err == nil || err.Code != BadRequest {
			t.Errorf("%.40q: %v", bad, err)
		}
	}
}

func TestMessagesAreBounded(t *testing.T) {
	err := Errf(Internal, "%s", strings.Repeat("é", 2000))
	if len(err.Message) > MaxMessage || !strings.HasPrefix(err.Message, "é") {
		t.Fatalf("message of %d bytes", len(err.Message))
	}
	if FromOS(syscall.ENOENT, "x").Code != NotFound || FromOS(syscall.EACCES, "x").Code != PermissionDenied ||
		FromOS(syscall.ENOTDIR, "x").Code != NotADirectory || FromOS(syscall.EEXIST, "x").Code != Exists ||
		FromOS(syscall.EROFS, "x").Code != ReadOnly {
		t.Fatal("errno mapping")
	}
}

func TestFields(t *testing.T) {
	for _, p := range []string{"", "rel", "/a\x00b", "/" + strings.Repeat("a", MaxPath)} {
		if Path("path", p) == nil {
			t.Errorf("path %.20q accepted", p)
		}
	}
	if _, err := Signal("SIGSTOP"); err == nil {
		t.Error("SIGSTOP accepted")
	}
	one, big := int64(1), int64(5000)
	if _, _, err := (&Size{Cols: &one, Rows: &big}).Check("tty"); err == nil {
		t.Error("rows 5000 accepted")
	}
}
