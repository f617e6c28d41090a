package main

import (
	"bytes"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"sbx.dev/agent/internal/frame"
)

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "sbx-agent-test-")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "sbx-agent")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		os.Stderr.Write(out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func agent(t *testing.T, socket string, cmd ...string) (*exec.Cmd, *bytes.Buffer) {
	var stderr bytes.Buffer
	c := exec.Command(binary, append([]string{"init", "--socket", socket, "--"}, cmd...)...)
	c.Stderr = &stderr
	return c, &stderr
}

func exitCode(t *testing.T, c *exec.Cmd) int {
	t.Helper()
	err := c.Run()
	if exit, ok := err.(*exec.ExitError); ok {
		return exit.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0
}

// The host matches tini's line and this one with one pattern (PROTOCOL.md, "Start").
var execFailed = regexp.MustCompile(`^(?:\[FATAL tini \(\d+\)\] |sbx-agent: )(exec [^\n]{1,512} failed: [^\n]{1,200})$`)

func TestExitCodes(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "a.sock")
	if got := exitCode(t, must(agent(t, sock, "sh", "-c", "exit 5"))); got != 5 {
		t.Fatalf("exit 5: %d", got)
	}
	if got := exitCode(t, must(agent(t, sock, "sh", "-c", "kill -KILL $$"))); got != 137 {
		t.Fatalf("killed: %d", got)
	}
	notExec := filepath.Join(t.TempDir(), "plain")
	os.WriteFile(notExec, []byte("x"), 0o644)
	for cmd, want := range map[string]int{"no-such-command-anywhere": 127, "/no/such/path": 127, notExec: 126} {
		c, stderr := agent(t, sock, cmd, "arg")
		if got := exitCode(t, c); got != want {
			t.Errorf("%s: exit %d, want %d", cmd, got, want)
		}
		line := strings.TrimSuffix(stderr.String(), "\n")
		if m := execFailed.FindStringSubmatch(line); m == nil || !strings.HasPrefix(m[1], "exec "+cmd+" failed: ") {
			t.Errorf("%s: stderr %q", cmd, line)
		}
	}
	if got := exitCode(t, exec.Command(binary, "init", "--", "true")); got != 2 {
		t.Fatalf("usage: %d", got)
	}
}

// Without a socket the command still runs; the reason is one line on stderr.
func TestRunsWithoutSocket(t *testing.T) {
	c, stderr := agent(t, "/no/such/dir/a.sock", "sh", "-c", "exit 4")
	if got := exitCode(t, c); got != 4 || strings.Count(stderr.String(), "\n") != 1 || !strings.Contains(stderr.String(), "cannot listen on /no/such/dir/a.sock") {
		t.Fatalf("exit %d, stderr %q", got, stderr)
	}
}

func TestSignalsAndSocket(t *testing.T) {
	dir := t.TempDir()
	sock, ready := filepath.Join(dir, "a.sock"), filepath.Join(dir, "ready")
	c, _ := agent(t, sock, "sh", "-c", "trap 'exit 42' TERM; touch "+ready+"; while :; do sleep 0.05; done")
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	var conn net.Conn
	deadline := time.Now().Add(5 * time.Second)
	for {
		var err error
		if conn, err = net.Dial("unix", sock); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal(err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if info, err := os.Stat(sock); err != nil || info.Mode().Perm() != 0o666 {
		t.Fatalf("socket mode: %v %v", info.Mode(), err)
	}
	conn.Write(frame.Append(nil, frame.Open, []byte(`{"v":1,"op":"hello"}`)))
	f, err := frame.Read(conn)
	if err != nil || f.Kind != frame.End || !bytes.Contains(f.Payload, []byte(`"agent":"sbx-agent/0.1.0"`)) {
		t.Fatalf("hello: %v %d %s", err, f.Kind, f.Payload)
	}
	conn.Close()
	for _, err := os.Stat(ready); err != nil; _, err = os.Stat(ready) {
		time.Sleep(10 * time.Millisecond) // the trap is set
	}
	c.Process.Signal(syscall.SIGTERM)
	err = c.Wait()
	if exit, ok := err.(*exec.ExitError); !ok || exit.ExitCode() != 42 {
		t.Fatalf("after SIGTERM: %v", err)
	}
}

func must(c *exec.Cmd, _ *bytes.Buffer) *exec.Cmd { return c }
