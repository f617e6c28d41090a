package server

import (
	"bytes"
	"encoding/binary"
	"math/rand"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"sbx.dev/agent/internal/frame"
)

func TestHello(t *testing.T) {
	a := startAgent(t)
	end, _ := a.open("hello", nil).expect(frame.End)
	if end["v"].(float64) != 1 || end["agent"] != Name || len(end["ops"].([]interface{})) != 16 {
		t.Fatalf("hello: %v", end)
	}
}

func TestRefusals(t *testing.T) {
	a := startAgent(t)
	cases := []struct {
		payload string
		code    string
	}{
		{`{"v":2,"op":"hello"}`, "UNSUPPORTED_VERSION"},
		{`{"op":"hello"}`, "UNSUPPORTED_VERSION"},
		{`{"v":1,"op":"nope"}`, "UNKNOWN_OP"},
		{`{"v":1,"op":"hello","extra":1}`, "BAD_REQUEST"},
		{`[1,2]`, "BAD_REQUEST"},
		{`not json`, "BAD_REQUEST"},
		{`{"v":1,"op":"run","cmd":[]}`, "BAD_REQUEST"},
		{`{"v":1,"op":"run","cmd":"echo"}`, "BAD_REQUEST"},
		{`{"v":1,"op":"run","cmd":["echo"],"timeoutMs":1.5}`, "BAD_REQUEST"},
		{`{"v":1,"op":"run","cmd":["echo"],"timeoutMs":0}`, "BAD_REQUEST"},
		{`{"v":1,"op":"run","cmd":["echo"],"cwd":"relative"}`, "BAD_REQUEST"},
		{`{"v":1,"op":"run","cmd":["echo"],"env":{"A=B":"x"}}`, "BAD_REQUEST"},
		{`{"v":1,"op":"run","cmd":["echo"],"tty":{"cols":0,"rows":24}}`, "BAD_REQUEST"},
		{`{"v":1,"op":"run","cmd":["no-such-command-here"]}`, "NOT_FOUND"},
		{`{"v":1,"op":"run","cmd":["echo"],"cwd":"/no/such/dir"}`, "NOT_FOUND"},
		{`{"v":1,"op":"run","cmd":["echo"],"user":"no-such-user-x"}`, "NOT_FOUND"},
		{`{"v":1,"op":"signal","pid":999999,"signal":"SIGTERM"}`, "NOT_FOUND"},
		{`{"v":1,"op":"signal","pid":-1,"signal":"SIGTERM"}`, "BAD_REQUEST"},
		{`{"v":1,"op":"stat","path":"/no/such/file"}`, "NOT_FOUND"},
		{`{"v":1,"op":"stat","path":"/tmp","depth":2}`, "BAD_REQUEST"},
		{`{"v":1,"op":"list","path":"/tmp","depth":17}`, "BAD_REQUEST"},
		{`{"v":1,"op":"remove","path":"/"}`, "BAD_REQUEST"},
		{`{"v":1,"op":"remove","path":"/tmp/.."}`, "BAD_REQUEST"},
		{`{"v":1,"op":"port","port":70000}`, "BAD_REQUEST"},
		{`{"v":1,"op":"port"}`, "BAD_REQUEST"},
	}
	for _, tc := range cases {
		c := a.dial()
		c.send(frame.Open, []byte(tc.payload))
		if got := c.code(); got != tc.code {
			t.Errorf("%s: got %s, want %s", tc.payload, got, tc.code)
		}
	}
	c := a.dial()
	c.send(frame.Stdin, nil)
	if got := c.code(); got != "BAD_REQUEST" {
		t.Errorf("a first frame that is not open: %s", got)
	}
	c = a.dial()
	c.send(frame.Open, []byte(`{"v":1,"op":"`+strings.Repeat("x", 70<<10)+`"}`))
	if got := c.code(); got != "BAD_REQUEST" {
		t.Errorf("an open over 64 KiB: %s", got)
	}
}

// A declared length over 1 MiB closes the connection without the agent reading (or allocating) the payload.
func TestOversizedFrame(t *testing.T) {
	a := startAgent(t)
	c := a.dial()
	var header [5]byte
	header[0] = byte(frame.Open)
	binary.BigEndian.PutUint32(header[1:], frame.MaxPayload+1)
	c.conn.Write(header[:])
	if got := c.code(); got != "BAD_REQUEST" || !c.closed() {
		t.Fatalf("oversized frame: %s", got)
	}
}

// Random frames (and random bytes) never panic the agent, and every connection ends.
func TestRandomFramesNeverPanic(t *testing.T) {
	a := startAgent(t)
	defer os.RemoveAll("/tmp/agent-go-fuzz-does-not-exist")
	before := runtime.NumGoroutine()
	rng := rand.New(rand.NewSource(26))
	ops := []string{"hello", "run", "attach", "ps", "signal", "stdin", "resize", "stat", "list", "mkdir", "move",
		"remove", "read", "write", "watch", "port", "x"}
	values := []string{`1`, `-1`, `0`, `1e300`, `"a"`, `""`, `null`, `true`, `[]`, `{}`, `["/bin/true"]`,
		`"/tmp/agent-go-fuzz-does-not-exist"`, `{"cols":1,"rows":1}`, `"SIGTERM"`, `9999999999999`}
	fields := []string{"cmd", "pid", "path", "from", "to", "depth", "mode", "tty", "signal", "cols", "rows",
		"offset", "length", "port", "user", "env", "stdin", "background", "timeoutMs", "recursive", "tag"}
	for i := 0; i < 400; i++ {
		c := a.dial()
		var buf bytes.Buffer
		if rng.Intn(4) == 0 {
			junk := make([]byte, rng.Intn(64))
			rng.Read(junk)
			buf.Write(junk)
		} else {
			open := `{"v":1,"op":"` + ops[rng.Intn(len(ops))] + `"`
			for n := rng.Intn(4); n > 0; n-- {
				open += `,"` + fields[rng.Intn(len(fields))] + `":` + values[rng.Intn(len(values))]
			}
			buf.Write(frame.Append(nil, frame.Open, []byte(open+"}")))
			for n := rng.Intn(4); n > 0; n-- {
				payload := make([]byte, rng.Intn(32))
				rng.Read(payload)
				buf.Write(frame.Append(nil, frame.Kind(rng.Intn(13)), payload))
			}
		}
		c.conn.Write(buf.Bytes())
		c.conn.Close()
	}
	// Every connection's goroutines end with it.
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<20)
		t.Fatalf("%d goroutines after the fuzz, %d before:\n%s", n, before, buf[:runtime.Stack(buf, true)])
	}
	// The agent still answers.
	end, _ := a.open("hello", nil).expect(frame.End)
	if end["agent"] != Name {
		t.Fatalf("hello after fuzz: %v", end)
	}
}
