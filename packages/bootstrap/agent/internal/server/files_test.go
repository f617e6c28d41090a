package server

import (
	"bytes"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"sbx.dev/agent/internal/frame"
)

func TestFileOps(t *testing.T) {
	a := startAgent(t)
	root := t.TempDir()
	dir := filepath.Join(root, "a", "b")
	end, _ := a.open("mkdir", map[string]interface{}{"path": dir}).expect(frame.End)
	if end["created"] != true {
		t.Fatalf("mkdir: %v", end)
	}
	end, _ = a.open("mkdir", map[string]interface{}{"path": dir}).expect(frame.End)
	if end["created"] != false {
		t.Fatalf("mkdir again: %v", end)
	}
	file := filepath.Join(dir, "f.txt")
	body := bytes.Repeat([]byte("0123456789"), 20000) // 200,000 bytes: several frames
	w := a.open("write", map[string]interface{}{"path": file, "mode": 0o600})
	w.expect(frame.OK)
	for off := 0; off < len(body); off += 70000 {
		w.send(frame.Data, body[off:min(off+70000, len(body))])
	}
	w.sendJSON(frame.End, struct{}{})
	end, _ = w.expect(frame.End)
	if end["size"].(float64) != float64(len(body)) {
		t.Fatalf("write: %v", end)
	}
	if got := a.open("mkdir", map[string]interface{}{"path": filepath.Join(file, "x")}).code(); got != "NOT_A_DIRECTORY" {
		t.Fatalf("mkdir under a file: %s", got)
	}
	st, _ := a.open("stat", map[string]interface{}{"path": file}).expect(frame.End)
	if st["type"] != "file" || st["size"].(float64) != 200000 || st["mode"].(float64) != 0o600 || st["name"] != "f.txt" {
		t.Fatalf("stat: %v", st)
	}
	r := a.open("read", map[string]interface{}{"path": file})
	ok, _ := r.expect(frame.OK)
	_, data := r.expect(frame.End)
	if ok["size"].(float64) != 200000 || !bytes.Equal(data[frame.Data], body) {
		t.Fatalf("read: %v, %d bytes", ok, len(data[frame.Data]))
	}
	r = a.open("read", map[string]interface{}{"path": file, "offset": 5, "length": 7})
	r.expect(frame.OK)
	if _, data = r.expect(frame.End); string(data[frame.Data]) != "5678901" {
		t.Fatalf("ranged read: %q", data[frame.Data])
	}
	ap := a.open("write", map[string]interface{}{"path": file, "append": true})
	ap.expect(frame.OK)
	ap.send(frame.Data, []byte("!"))
	ap.sendJSON(frame.End, struct{}{})
	if end, _ = ap.expect(frame.End); end["size"].(float64) != 200001 {
		t.Fatalf("append: %v", end)
	}
	os.Symlink("f.txt", filepath.Join(dir, "link"))
	list, _ := a.open("list", map[string]interface{}{"path": root, "depth": 3}).expect(frame.End)
	var paths []string
	for _, e := range list["entries"].([]interface{}) {
		entry := e.(map[string]interface{})
		paths = append(paths, entry["path"].(string)+":"+entry["type"].(string))
	}
	want := []string{root + "/a:directory", dir + ":directory", file + ":file", dir + "/link:symlink"}
	if strings.Join(paths, ",") != strings.Join(want, ",") || list["truncated"] != false {
		t.Fatalf("list: %v", paths)
	}
	list, _ = a.open("list", map[string]interface{}{"path": root, "depth": 3, "maxEntries": 2}).expect(frame.End)
	if len(list["entries"].([]interface{})) != 2 || list["truncated"] != true {
		t.Fatalf("list capped: %v", list)
	}
	moved := filepath.Join(root, "new", "place", "g.txt")
	a.open("move", map[string]interface{}{"from": file, "to": moved}).expect(frame.End)
	if got := a.open("read", map[string]interface{}{"path": file}).code(); got != "NOT_FOUND" {
		t.Fatalf("read moved-away: %s", got)
	}
	if got := a.open("read", map[string]interface{}{"path": root}).code(); got != "IS_A_DIRECTORY" {
		t.Fatalf("read a directory: %s", got)
	}
	if got := a.open("list", map[string]interface{}{"path": moved}).code(); got != "NOT_A_DIRECTORY" {
		t.Fatalf("list a file: %s", got)
	}
	a.open("remove", map[string]interface{}{"path": filepath.Join(root, "a")}).expect(frame.End)
	if got := a.open("remove", map[string]interface{}{"path": filepath.Join(root, "a")}).code(); got != "NOT_FOUND" {
		t.Fatalf("remove again: %s", got)
	}
}

// A write whose connection goes before end leaves the old file as it was and no temp file behind.
func TestInterruptedWriteChangesNothing(t *testing.T) {
	a := startAgent(t)
	root := t.TempDir()
	file := filepath.Join(root, "keep.txt")
	os.WriteFile(file, []byte("old"), 0o644)
	w := a.open("write", map[string]interface{}{"path": file})
	w.expect(frame.OK)
	w.send(frame.Data, []byte("new content"))
	w.conn.Close()
	waitFor(t, func() bool { entries, _ := os.ReadDir(root); return len(entries) == 1 })
	if got, _ := os.ReadFile(file); string(got) != "old" {
		t.Fatalf("file after an interrupted write: %q", got)
	}
	w = a.open("write", map[string]interface{}{"path": file})
	w.expect(frame.OK)
	w.send(frame.Stdin, []byte("x"))
	if got := w.code(); got != "BAD_REQUEST" {
		t.Fatalf("stdin frame in a write: %s", got)
	}
}

func TestWatch(t *testing.T) {
	a := startAgent(t)
	root := t.TempDir()
	w := a.open("watch", map[string]interface{}{"path": root, "recursive": true})
	w.expect(frame.OK)
	sub := filepath.Join(root, "sub")
	os.Mkdir(sub, 0o755)
	expectEvent(t, w, "create", sub)
	time.Sleep(50 * time.Millisecond) // the new directory's watch is added on its create event
	file := filepath.Join(sub, "x.txt")
	os.WriteFile(file, []byte("1"), 0o644)
	expectEvent(t, w, "create", file)
	os.WriteFile(file, []byte("12"), 0o644)
	expectEvent(t, w, "write", file)
	os.Remove(file)
	expectEvent(t, w, "remove", file)
	if got := a.open("watch", map[string]interface{}{"path": filepath.Join(root, "none")}).code(); got != "NOT_FOUND" {
		t.Fatalf("watch a missing path: %s", got)
	}
}

func expectEvent(t *testing.T, c *client, kind, path string) {
	t.Helper()
	for {
		f := c.read()
		if f.Kind != frame.Event {
			t.Fatalf("frame %d %q while waiting for %s %s", f.Kind, f.Payload, kind, path)
		}
		if strings.Contains(string(f.Payload), `"type":"`+kind+`","path":"`+path+`"`) {
			return
		}
	}
}

func TestPortTunnel(t *testing.T) {
	a := startAgent(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		conn, err := l.Accept()
		if err != nil {
			return
		}
		buf := make([]byte, 5)
		n, _ := conn.Read(buf)
		conn.Write(append([]byte("echo:"), buf[:n]...))
		conn.Close()
	}()
	port := l.Addr().(*net.TCPAddr).Port
	c := a.open("port", map[string]interface{}{"port": port})
	c.expect(frame.OK)
	c.send(frame.Data, []byte("hello"))
	_, data := c.expect(frame.End)
	if string(data[frame.Data]) != "echo:hello" {
		t.Fatalf("tunnel: %q", data[frame.Data])
	}
	c.sendJSON(frame.End, struct{}{})
	if !c.closed() {
		t.Fatal("tunnel not closed after both ends")
	}
	l.Close()
	if got := a.open("port", map[string]interface{}{"port": port}).code(); got != "CONNECTION_REFUSED" {
		t.Fatalf("closed port: %s (port %s)", got, strconv.Itoa(port))
	}
}

func min(a, b int) int {
	if a < b {
		return a
	}
	return b
}
