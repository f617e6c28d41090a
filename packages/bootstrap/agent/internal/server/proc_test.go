package server

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"sbx.dev/agent/internal/frame"
	"sbx.dev/agent/internal/proc"
)

func run(a *agent, params map[string]interface{}) (map[string]interface{}, map[frame.Kind][]byte) {
	c := a.open("run", params)
	ok, _ := c.expect(frame.OK)
	if ok["pid"].(float64) <= 0 {
		a.t.Fatalf("ok: %v", ok)
	}
	return c.expect(frame.End)
}

func TestRunPipes(t *testing.T) {
	a := startAgent(t)
	end, out := run(a, map[string]interface{}{"cmd": []string{"sh", "-c", "echo out; echo err >&2; exit 3"}})
	if end["exitCode"].(float64) != 3 || string(out[frame.Stdout]) != "out\n" || string(out[frame.Stderr]) != "err\n" {
		t.Fatalf("run: %v %q", end, out)
	}
	end, out = run(a, map[string]interface{}{"cmd": []string{"sh", "-c", "pwd; echo $SBX_X; cat"}, "cwd": "/tmp", "env": map[string]string{"SBX_X": "y z"}})
	if end["exitCode"].(float64) != 0 || string(out[frame.Stdout]) != "/tmp\ny z\n" {
		t.Fatalf("cwd/env/no stdin: %v %q", end, out)
	}
	end, _ = run(a, map[string]interface{}{"cmd": []string{"sh", "-c", "kill -TERM $$"}})
	if end["exitCode"].(float64) != 143 || end["signal"] != "SIGTERM" {
		t.Fatalf("signalled: %v", end)
	}
	start := time.Now()
	end, _ = run(a, map[string]interface{}{"cmd": []string{"sh", "-c", "sleep 30 & sleep 30"}, "timeoutMs": 200})
	if end["timedOut"] != true || end["signal"] != "SIGKILL" || time.Since(start) > 3*time.Second {
		t.Fatalf("timeout: %v after %v", end, time.Since(start))
	}
}

// Output far over the rings comes through whole and in order (the foreground run holds the process back).
func TestRunLargeOutputIsExact(t *testing.T) {
	a := startAgent(t)
	end, out := run(a, map[string]interface{}{"cmd": []string{"sh", "-c", "i=0; while [ $i -lt 40000 ]; do echo line-$i; i=$((i+1)); done"}})
	lines := strings.Split(strings.TrimSuffix(string(out[frame.Stdout]), "\n"), "\n")
	if end["exitCode"].(float64) != 0 || len(lines) != 40000 || lines[39999] != "line-39999" {
		t.Fatalf("large output: %v, %d lines", end, len(lines))
	}
}

func TestRunStdin(t *testing.T) {
	a := startAgent(t)
	c := a.open("run", map[string]interface{}{"cmd": []string{"sh", "-c", "wc -c"}, "stdin": true})
	c.expect(frame.OK)
	c.send(frame.Stdin, bytes.Repeat([]byte("x"), 100000))
	c.send(frame.StdinEOF, nil)
	end, out := c.expect(frame.End)
	if end["exitCode"].(float64) != 0 || strings.TrimSpace(string(out[frame.Stdout])) != "100000" {
		t.Fatalf("stdin: %v %q", end, out)
	}
	// stdin frames without stdin: true are refused.
	c = a.open("run", map[string]interface{}{"cmd": []string{"sleep", "5"}})
	c.expect(frame.OK)
	c.send(frame.Stdin, []byte("x"))
	if got := c.code(); got != "BAD_REQUEST" {
		t.Fatalf("unrequested stdin: %s", got)
	}
}

// A foreground process is killed with its connection; a background one outlives it.
func TestForegroundDiesWithConnection(t *testing.T) {
	a := startAgent(t)
	c := a.open("run", map[string]interface{}{"cmd": []string{"sleep", "30"}})
	ok, _ := c.expect(frame.OK)
	pid := int(ok["pid"].(float64))
	c.conn.Close()
	waitFor(t, func() bool { _, err := a.srv.Procs.Get(int64(pid)); return err != nil })
}

func TestBackgroundAttachPsSignal(t *testing.T) {
	a := startAgent(t)
	c := a.open("run", map[string]interface{}{"cmd": []string{"sh", "-c", "echo started; exec sleep 30"}, "background": true, "tag": "sleeper"})
	ok, _ := c.expect(frame.OK)
	pid := ok["pid"].(float64)
	c.conn.Close()
	ps, _ := a.open("ps", nil).expect(frame.End)
	found := false
	for _, p := range ps["processes"].([]interface{}) {
		row := p.(map[string]interface{})
		if row["pid"] == pid && row["running"] == true && row["tag"] == "sleeper" && row["background"] == true {
			found = true
		}
	}
	if !found {
		t.Fatalf("ps: %v", ps)
	}
	att := a.open("attach", map[string]interface{}{"pid": pid})
	info, _ := att.expect(frame.OK)
	if info["truncated"] != false || info["tty"] != false {
		t.Fatalf("attach ok: %v", info)
	}
	f := att.read()
	if f.Kind != frame.Stdout || string(f.Payload) != "started\n" {
		t.Fatalf("kept output: %d %q", f.Kind, f.Payload)
	}
	a.open("signal", map[string]interface{}{"pid": pid, "signal": "SIGKILL"}).expect(frame.End)
	end, _ := att.expect(frame.End)
	if end["exitCode"].(float64) != 137 {
		t.Fatalf("attach end: %v", end)
	}
	// Ended, it stays listed and re-attachable; the end comes at once.
	att = a.open("attach", map[string]interface{}{"pid": pid})
	att.expect(frame.OK)
	end, out := att.expect(frame.End)
	if end["signal"] != "SIGKILL" || string(out[frame.Stdout]) != "started\n" {
		t.Fatalf("re-attach: %v %q", end, out)
	}
	if got := a.open("signal", map[string]interface{}{"pid": pid, "signal": "SIGTERM"}).code(); got != "NOT_FOUND" {
		t.Fatalf("signal an ended process: %s", got)
	}
}

// A background process's output is kept up to 1 MiB per stream, oldest dropped, and reported truncated.
func TestBackgroundRingIsBounded(t *testing.T) {
	a := startAgent(t)
	c := a.open("run", map[string]interface{}{"cmd": []string{"sh", "-c", "head -c 3000000 /dev/zero"}, "background": true})
	ok, _ := c.expect(frame.OK)
	c.conn.Close()
	pid := ok["pid"].(float64)
	waitFor(t, func() bool { p, _ := a.srv.Procs.Get(int64(pid)); return p != nil && !p.Running() })
	att := a.open("attach", map[string]interface{}{"pid": pid})
	info, _ := att.expect(frame.OK)
	_, out := att.expect(frame.End)
	if info["truncated"] != true || len(out[frame.Stdout]) != proc.BackgroundRing {
		t.Fatalf("ring: %v, %d bytes kept", info, len(out[frame.Stdout]))
	}
}

func TestStdinOpAndLimit(t *testing.T) {
	a := startAgent(t)
	a.srv.Procs.WithLimits(2, 1)
	c := a.open("run", map[string]interface{}{"cmd": []string{"cat"}, "background": true, "stdin": true})
	ok, _ := c.expect(frame.OK)
	pid := ok["pid"].(float64)
	c2 := a.open("run", map[string]interface{}{"cmd": []string{"sleep", "30"}})
	c2.expect(frame.OK)
	if got := a.open("run", map[string]interface{}{"cmd": []string{"true"}}).code(); got != "LIMIT" {
		t.Fatalf("third process: %s", got)
	}
	s := a.open("stdin", map[string]interface{}{"pid": pid})
	s.send(frame.Stdin, []byte("hello\n"))
	s.send(frame.StdinEOF, nil)
	s.expect(frame.End)
	end, out := c.expect(frame.End)
	if end["exitCode"].(float64) != 0 || string(out[frame.Stdout]) != "hello\n" {
		t.Fatalf("stdin op: %v %q", end, out)
	}
	c2.conn.Close()
	waitFor(t, func() bool {
		return a.open("run", map[string]interface{}{"cmd": []string{"true"}}).read().Kind == frame.OK
	})
}

func TestPTYAndResize(t *testing.T) {
	a := startAgent(t)
	c := a.open("run", map[string]interface{}{"cmd": []string{"sh"}, "tty": map[string]int{"cols": 80, "rows": 24}, "stdin": true})
	ok, _ := c.expect(frame.OK)
	pid := ok["pid"].(float64)
	c.send(frame.Stdin, []byte("stty size; tty\n"))
	readUntil(t, c, "24 80")
	a.open("resize", map[string]interface{}{"pid": pid, "cols": 100, "rows": 40}).expect(frame.End)
	c.send(frame.Stdin, []byte("stty size\n"))
	readUntil(t, c, "40 100")
	c.sendJSON(frame.Control, map[string]interface{}{"resize": map[string]int{"cols": 120, "rows": 50}})
	c.send(frame.Stdin, []byte("stty size; exit 7\n"))
	readUntil(t, c, "50 120")
	end, _ := c.expect(frame.End)
	if end["exitCode"].(float64) != 7 {
		t.Fatalf("pty end: %v", end)
	}
	if got := a.open("resize", map[string]interface{}{"pid": 1 << 30, "cols": 1, "rows": 1}).code(); got != "NOT_FOUND" {
		t.Fatalf("resize unknown: %s", got)
	}
}

func readUntil(t *testing.T, c *client, want string) {
	t.Helper()
	var seen []byte
	for !bytes.Contains(seen, []byte(want)) {
		f := c.read()
		if f.Kind != frame.Stdout {
			t.Fatalf("frame %d %q while waiting for %q (seen %q)", f.Kind, f.Payload, want, seen)
		}
		seen = append(seen, f.Payload...)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal(fmt.Sprintf("condition not met in 5 s"))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A process that never reads its stdin does not keep a closed connection's goroutines (or itself) alive.
func TestBlockedStdinEndsWithConnection(t *testing.T) {
	a := startAgent(t)
	c := a.open("run", map[string]interface{}{"cmd": []string{"sleep", "30"}, "stdin": true})
	ok, _ := c.expect(frame.OK)
	pid := int64(ok["pid"].(float64))
	c.send(frame.Stdin, make([]byte, 256<<10)) // far over the pipe's buffer
	c.send(frame.Stdin, []byte("still unread when the host goes"))
	c.conn.Close()
	waitFor(t, func() bool { _, err := a.srv.Procs.Get(pid); return err != nil })
}

// ps stays within one frame however long the commands are: each cmd is cut to 2 KiB.
func TestPsIsBounded(t *testing.T) {
	a := startAgent(t)
	args := []string{"sh", "-c", "exec sleep 30", "x"}
	for len(args) < 3000 {
		args = append(args, "an-argument-of-15")
	}
	for i := 0; i < 25; i++ { // 25 x 51 KB of cmd: 1.3 MB uncut
		c := a.open("run", map[string]interface{}{"cmd": args, "background": true})
		ok, _ := c.expect(frame.OK)
		defer a.open("signal", map[string]interface{}{"pid": ok["pid"], "signal": "SIGKILL"}).expect(frame.End)
	}
	ps, _ := a.open("ps", nil).expect(frame.End)
	rows := ps["processes"].([]interface{})
	if len(rows) < 25 {
		t.Fatalf("ps lists %d processes", len(rows))
	}
	for _, row := range rows {
		n := 0
		for _, arg := range row.(map[string]interface{})["cmd"].([]interface{}) {
			n += len(arg.(string))
		}
		if n > proc.MaxPsCmd {
			t.Fatalf("a cmd of %d bytes in ps", n)
		}
	}
}

// Commands that cannot start say why, each with its own code.
func TestRunStartFailures(t *testing.T) {
	a := startAgent(t)
	dir := t.TempDir()
	notProgram := dir + "/not-a-program"
	os.WriteFile(notProgram, []byte{0, 1, 2, 3}, 0o755)
	notExecutable := dir + "/not-executable"
	os.WriteFile(notExecutable, []byte("#!/bin/sh\n"), 0o644)
	for cmd, want := range map[string]string{notProgram: "BAD_REQUEST", notExecutable: "PERMISSION_DENIED", dir + "/missing": "NOT_FOUND"} {
		if got := a.open("run", map[string]interface{}{"cmd": []string{cmd}}).code(); got != want {
			t.Errorf("%s: %s, want %s", cmd, got, want)
		}
	}
}

// Output that is ready goes out with the `end` in one write: an attach to an ended process costs the host one
// read after `ok` (PROTOCOL.md: frames are a byte stream, several may come in one read).
func TestReadyOutputAndEndInOneWrite(t *testing.T) {
	a := startAgent(t)
	c := a.open("run", map[string]interface{}{"cmd": []string{"sh", "-c", "echo out; echo err >&2"}, "background": true})
	ok, _ := c.expect(frame.OK)
	pid := ok["pid"]
	deadline := time.Now().Add(10 * time.Second)
	for running := true; running; {
		if time.Now().After(deadline) {
			t.Fatal("the process did not end")
		}
		time.Sleep(10 * time.Millisecond)
		ps, _ := a.open("ps", nil).expect(frame.End)
		for _, p := range ps["processes"].([]interface{}) {
			if row := p.(map[string]interface{}); row["pid"] == pid {
				running = row["running"] == true
			}
		}
	}
	// The agent's side of the attach, with its writes counted.
	host, agentSide := net.Pipe()
	writes := &countingConn{Conn: agentSide}
	go a.srv.Handle(writes)
	att := &client{t: t, conn: host}
	host.SetDeadline(time.Now().Add(20 * time.Second))
	att.sendJSON(frame.Open, map[string]interface{}{"v": 1, "op": "attach", "pid": pid})
	att.expect(frame.OK)
	end, out := att.expect(frame.End)
	if end["exitCode"].(float64) != 0 || string(out[frame.Stdout]) != "out\n" || string(out[frame.Stderr]) != "err\n" {
		t.Fatalf("attach: %v %q", end, out)
	}
	if got := writes.count(); got != 2 {
		t.Fatalf("the agent wrote %d times: want 2 (ok, then the output with the end)", got)
	}
}

type countingConn struct {
	net.Conn
	mu     sync.Mutex
	writes int
}

func (c *countingConn) Write(b []byte) (int, error) {
	c.mu.Lock()
	c.writes++
	c.mu.Unlock()
	return c.Conn.Write(b)
}

func (c *countingConn) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.writes
}
