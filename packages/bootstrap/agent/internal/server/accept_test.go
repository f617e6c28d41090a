package server

import (
	"errors"
	"net"
	"path/filepath"
	"syscall"
	"testing"

	"sbx.dev/agent/internal/frame"
	"sbx.dev/agent/internal/proc"
)

// flakyListener fails its first accepts the way a sandbox out of file descriptors does.
type flakyListener struct {
	net.Listener
	failures int
}

func (l *flakyListener) Accept() (net.Conn, error) {
	if l.failures > 0 {
		l.failures--
		return nil, &net.OpError{Op: "accept", Net: "unix", Err: syscall.EMFILE}
	}
	return l.Listener.Accept()
}

// A failed accept (EMFILE) does not stop the agent serving; only a closed listener does.
func TestServesAfterAcceptFailures(t *testing.T) {
	socket := filepath.Join(t.TempDir(), "agent.sock")
	l, err := net.Listen("unix", socket)
	if err != nil {
		t.Fatal(err)
	}
	srv := New(proc.NewTable(testReaper))
	done := make(chan error, 1)
	go func() { done <- srv.Serve(&flakyListener{Listener: l, failures: 3}) }()
	a := &agent{t: t, socket: socket, srv: srv}
	if end, _ := a.open("hello", nil).expect(frame.End); end["agent"] != Name {
		t.Fatalf("hello after accept failures: %v", end)
	}
	l.Close()
	if err := <-done; !errors.Is(err, net.ErrClosed) {
		t.Fatalf("Serve after the listener closed: %v", err)
	}
}
