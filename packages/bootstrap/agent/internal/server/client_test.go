package server

import (
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"sbx.dev/agent/internal/frame"
	"sbx.dev/agent/internal/proc"
)

var testReaper *proc.Reaper

func TestMain(m *testing.M) {
	testReaper = proc.NewReaper()
	os.Exit(m.Run())
}

// agent is a server on a unix socket in a temp dir, for the tests' own minimal client.
type agent struct {
	t      *testing.T
	socket string
	srv    *Server
}

func startAgent(t *testing.T, configure ...func(*Server)) *agent {
	t.Helper()
	socket := filepath.Join(t.TempDir(), "agent.sock")
	l, err := net.Listen("unix", socket)
	if err != nil {
		t.Fatal(err)
	}
	srv := New(proc.NewTable(testReaper))
	for _, fn := range configure {
		fn(srv)
	}
	go srv.Serve(l)
	t.Cleanup(func() { l.Close() })
	return &agent{t: t, socket: socket, srv: srv}
}

type client struct {
	t    *testing.T
	conn net.Conn
}

func (a *agent) dial() *client {
	a.t.Helper()
	conn, err := net.Dial("unix", a.socket)
	if err != nil {
		a.t.Fatal(err)
	}
	conn.SetDeadline(time.Now().Add(20 * time.Second))
	a.t.Cleanup(func() { conn.Close() })
	return &client{t: a.t, conn: conn}
}

// open dials and sends an open frame with v:1 added.
func (a *agent) open(op string, params map[string]interface{}) *client {
	c := a.dial()
	msg := map[string]interface{}{"v": 1, "op": op}
	for k, v := range params {
		msg[k] = v
	}
	c.sendJSON(frame.Open, msg)
	return c
}

func (c *client) send(kind frame.Kind, payload []byte) {
	c.t.Helper()
	if _, err := c.conn.Write(frame.Append(nil, kind, payload)); err != nil {
		c.t.Fatal(err)
	}
}

func (c *client) sendJSON(kind frame.Kind, v interface{}) {
	c.t.Helper()
	b, _ := json.Marshal(v)
	c.send(kind, b)
}

func (c *client) read() frame.Frame {
	c.t.Helper()
	f, err := frame.Read(c.conn)
	if err != nil {
		c.t.Fatalf("read a frame: %v", err)
	}
	return f
}

// expect reads frames until kind, collecting stdout/stderr/data bytes on the way; it fails on an error frame
// unless kind is error.
func (c *client) expect(kind frame.Kind) (map[string]interface{}, map[frame.Kind][]byte) {
	c.t.Helper()
	streams := map[frame.Kind][]byte{}
	for {
		f := c.read()
		switch {
		case f.Kind == kind && kind != frame.Stdout && kind != frame.Data:
			var v map[string]interface{}
			if err := json.Unmarshal(f.Payload, &v); err != nil {
				c.t.Fatalf("frame %d payload %q: %v", f.Kind, f.Payload, err)
			}
			return v, streams
		case f.Kind == frame.Error:
			c.t.Fatalf("error frame while waiting for %d: %s", kind, f.Payload)
		case f.Kind == frame.Stdout || f.Kind == frame.Stderr || f.Kind == frame.Data || f.Kind == frame.Event:
			streams[f.Kind] = append(streams[f.Kind], f.Payload...)
		default:
			c.t.Fatalf("unexpected frame %d %q while waiting for %d", f.Kind, f.Payload, kind)
		}
	}
}

// code reads frames until an error frame and returns its code.
func (c *client) code() string {
	c.t.Helper()
	for {
		f := c.read()
		if f.Kind == frame.Error {
			var e struct{ Code, Message string }
			json.Unmarshal(f.Payload, &e)
			if len(e.Message) > 1024 {
				c.t.Fatalf("error message of %d bytes", len(e.Message))
			}
			return e.Code
		}
		if f.Kind == frame.End {
			c.t.Fatalf("end %s where an error was expected", f.Payload)
		}
	}
}

// closed says whether the agent closed the connection (a read ends with EOF).
func (c *client) closed() bool {
	for {
		if _, err := frame.Read(c.conn); err != nil {
			return true
		}
	}
}
