package user

import (
	"os"
	"path/filepath"
	"testing"
)

func files(t *testing.T) Files {
	dir := t.TempDir()
	passwd := "root:x:0:0:root:/root:/bin/sh\n# comment\nbroken line\napp:x:1000:1000::/home/app:/bin/sh\nbad:x:notanumber:1::/:/bin/sh\n"
	group := "root:x:0:\nwheel:x:10:app,other\napp:x:1000:\ndocker:x:999:app\n"
	must(t, os.WriteFile(filepath.Join(dir, "passwd"), []byte(passwd), 0o644))
	must(t, os.WriteFile(filepath.Join(dir, "group"), []byte(group), 0o644))
	return Files{Passwd: filepath.Join(dir, "passwd"), Group: filepath.Join(dir, "group")}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestResolve(t *testing.T) {
	f := files(t)
	cred, err := f.Resolve("app")
	if err != nil || cred.UID != 1000 || cred.GID != 1000 || cred.Home != "/home/app" || len(cred.Groups) != 3 {
		t.Fatalf("app: %+v %v", cred, err)
	}
	cred, err = f.Resolve("1000:5")
	if err != nil || cred.UID != 1000 || cred.GID != 5 || cred.Name != "app" || cred.Groups != nil {
		t.Fatalf("1000:5: %+v %v", cred, err)
	}
	cred, err = f.Resolve("4242")
	if err != nil || cred.UID != 4242 || cred.GID != 0 || cred.Name != "" {
		t.Fatalf("4242: %+v %v", cred, err)
	}
	if cred, err = f.Resolve(""); cred != nil || err != nil {
		t.Fatalf("empty: %+v %v", cred, err)
	}
	for spec, code := range map[string]string{
		"nobody-here": "NOT_FOUND", "1:x": "BAD_REQUEST", "1:-1": "BAD_REQUEST", "1:99999999999": "BAD_REQUEST",
		"a\x00b": "BAD_REQUEST", "bad": "NOT_FOUND",
	} {
		if _, err := f.Resolve(spec); err == nil || err.Code != code {
			t.Errorf("%q: want %s, got %v", spec, code, err)
		}
	}
}

func TestMissingFiles(t *testing.T) {
	f := Files{Passwd: "/nonexistent/passwd", Group: "/nonexistent/group"}
	if cred, err := f.Resolve("0"); err != nil || cred.UID != 0 {
		t.Fatalf("numeric without passwd: %+v %v", cred, err)
	}
	if _, err := f.Resolve("root"); err == nil || err.Code != "NOT_FOUND" {
		t.Fatalf("named without passwd: %v", err)
	}
}
