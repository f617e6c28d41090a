package frame

import (
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// A write the other side never reads gives up once the host's connection is closed, even with the host's
// data still unread before its close.
func TestWriteWhileAliveEndsWithTheConnection(t *testing.T) {
	socket := filepath.Join(t.TempDir(), "s")
	l, err := net.Listen("unix", socket)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	host, err := net.Dial("unix", socket)
	if err != nil {
		t.Fatal(err)
	}
	accepted, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	c := NewConn(accepted)
	defer c.Close()
	if c.Gone() {
		t.Fatal("gone while open")
	}
	r, w, _ := os.Pipe() // nobody reads r: a write of more than its buffer blocks
	defer r.Close()
	defer w.Close()
	host.Write(Append(nil, Stdin, []byte("unread")))
	done := make(chan error, 1)
	go func() { done <- c.WriteWhileAlive(w, make([]byte, 1<<20)) }()
	time.Sleep(2 * PollInterval)
	select {
	case err := <-done:
		t.Fatalf("returned while the host is there: %v", err)
	default:
	}
	host.Close()
	select {
	case err := <-done:
		if err != ErrGone {
			t.Fatalf("after the close: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("still blocked 5 s after the host closed")
	}
}
