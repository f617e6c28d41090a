package server

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sbx.dev/agent/internal/frame"
)

// As root the agent runs processes and file operations as another user; as anyone else it refuses to.
func TestUserSwitch(t *testing.T) {
	a := startAgent(t)
	if os.Geteuid() != 0 {
		if got := a.open("run", map[string]interface{}{"cmd": []string{"id"}, "user": "0"}).code(); got != "PERMISSION_DENIED" {
			t.Fatalf("non-root agent switching to root: %s", got)
		}
		return
	}
	end, out := run(a, map[string]interface{}{"cmd": []string{"sh", "-c", "id -u; id -g"}, "user": "65534:65533"})
	if end["exitCode"].(float64) != 0 || string(out[frame.Stdout]) != "65534\n65533\n" {
		t.Fatalf("run as 65534:65533: %v %q", end, out)
	}
	root, err := os.MkdirTemp("", "agent-go-user-") // root's, 0700, in the world-traversable temp dir
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(root) })
	if got := a.open("stat", map[string]interface{}{"path": filepath.Join(root, "x"), "user": "65534"}).code(); got != "PERMISSION_DENIED" {
		t.Fatalf("stat in root's 0700 dir as 65534: %s", got)
	}
	os.Chmod(root, 0o777)
	w := a.open("write", map[string]interface{}{"path": filepath.Join(root, "mine"), "user": "65534:65534"})
	w.expect(frame.OK)
	w.send(frame.Data, []byte("x"))
	w.sendJSON(frame.End, struct{}{})
	w.expect(frame.End)
	info, err := os.Stat(filepath.Join(root, "mine"))
	if err != nil || !strings.Contains(statOwner(info), "65534:65534") {
		t.Fatalf("file written as 65534: %v %s", err, statOwner(info))
	}
	// The agent's own identity is untouched afterwards.
	end, out = run(a, map[string]interface{}{"cmd": []string{"id", "-u"}})
	if string(out[frame.Stdout]) != "0\n" || end["exitCode"].(float64) != 0 {
		t.Fatalf("agent after switches: %q", out)
	}
	w = a.open("write", map[string]interface{}{"path": filepath.Join(root, "roots")})
	w.expect(frame.OK)
	w.sendJSON(frame.End, struct{}{})
	w.expect(frame.End)
	if info, _ := os.Stat(filepath.Join(root, "roots")); !strings.Contains(statOwner(info), "0:0") {
		t.Fatalf("a write without user after switched ones: %s", statOwner(info))
	}
}
