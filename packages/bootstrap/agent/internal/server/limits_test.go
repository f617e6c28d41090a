package server

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"sbx.dev/agent/internal/frame"
)

// A connection that never sends its open is closed after OpenTimeout.
func TestSilentConnectionIsClosed(t *testing.T) {
	a := startAgent(t, func(s *Server) { s.openTimeout = 200 * time.Millisecond })
	c := a.dial()
	started := time.Now()
	if !c.closed() || time.Since(started) > 5*time.Second {
		t.Fatalf("silent connection closed after %v", time.Since(started))
	}
}

// A recursive watch over more directories than its limit is refused with LIMIT, before and while watching.
func TestWatchDirectoryLimit(t *testing.T) {
	a := startAgent(t, func(s *Server) { s.maxWatchDirs = 3 })
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "a", "b", "c"), 0o755)
	if got := a.open("watch", map[string]interface{}{"path": root, "recursive": true}).code(); got != "LIMIT" {
		t.Fatalf("watch of 4 directories: %s", got)
	}
	os.RemoveAll(filepath.Join(root, "a", "b", "c"))
	w := a.open("watch", map[string]interface{}{"path": root, "recursive": true})
	w.expect(frame.OK)
	os.Mkdir(filepath.Join(root, "a", "b", "new"), 0o755)
	if got := w.code(); got != "LIMIT" {
		t.Fatalf("a fourth directory while watching: %s", got)
	}
}

// A grandchild that keeps the output pipes open does not hold the end back.
func TestEndDoesNotWaitForGrandchildren(t *testing.T) {
	a := startAgent(t)
	started := time.Now()
	end, out := run(a, map[string]interface{}{"cmd": []string{"sh", "-c", "sleep 3 & echo done"}})
	if end["exitCode"].(float64) != 0 || string(out[frame.Stdout]) != "done\n" || time.Since(started) > 2*time.Second {
		t.Fatalf("end %v %q after %v", end, out, time.Since(started))
	}
}
