package frame

import (
	"syscall"
	"time"
	"unsafe"
)

// Gone says whether the host has closed (or reset) the connection, without reading a frame: poll(2) for a hang-up
// (POLLRDHUP sees it even behind data not read yet). Used where a goroutine is blocked on the sandbox's side
// (a stdin nobody reads, a port nobody reads) and must still end when the connection ends.
func (c *Conn) Gone() bool {
	sc, ok := c.raw.(syscall.Conn)
	if !ok {
		return false
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return true
	}
	gone := false
	err = raw.Control(func(fd uintptr) {
		pfd := pollFd{fd: int32(fd), events: pollRdHup}
		n, _, errno := syscall.Syscall(syscall.SYS_POLL, uintptr(unsafe.Pointer(&pfd)), 1, 0)
		gone = errno == 0 && n == 1 && pfd.revents&(pollRdHup|pollHup|pollErr|pollNval) != 0
	})
	return gone || err != nil
}

type pollFd struct {
	fd      int32
	events  int16
	revents int16
}

const (
	pollErr   = 0x8
	pollHup   = 0x10
	pollNval  = 0x20
	pollRdHup = 0x2000
)

// deadliner is a file or connection whose writes can time out.
type deadliner interface {
	Write(p []byte) (int, error)
	SetWriteDeadline(t time.Time) error
}

// PollInterval is how often a blocked WriteWhileAlive looks at the connection.
const PollInterval = 250 * time.Millisecond

// WriteWhileAlive writes p to w, waiting as long as it takes while the connection is there; it gives up with
// ErrGone once the host has closed the connection.
func (c *Conn) WriteWhileAlive(w deadliner, p []byte) error {
	for len(p) > 0 {
		w.SetWriteDeadline(time.Now().Add(PollInterval))
		n, err := w.Write(p)
		p = p[n:]
		if err == nil {
			continue
		}
		if !isTimeout(err) {
			return err
		}
		if c.Gone() {
			return ErrGone
		}
	}
	w.SetWriteDeadline(time.Time{})
	return nil
}

func isTimeout(err error) bool {
	t, ok := err.(interface{ Timeout() bool })
	return ok && t.Timeout()
}
