package proc

import (
	"os"

	"sbx.dev/agent/internal/frame"
	"sbx.dev/agent/internal/proto"
)

// WriteStdin writes host bytes to the process's stdin (or PTY), waiting while the process does not read, until
// the connection c goes (frame.ErrGone).
func (p *Proc) WriteStdin(c *frame.Conn, data []byte) error {
	p.stdinMu.Lock()
	f := p.stdin
	p.stdinMu.Unlock()
	if f == nil {
		return os.ErrClosed
	}
	return c.WriteWhileAlive(f, data)
}

// CloseStdin ends the process's input: closes the pipe, or on a PTY types ^D when eof is asked by the host.
func (p *Proc) CloseStdin(eof bool) {
	p.stdinMu.Lock()
	defer p.stdinMu.Unlock()
	if p.stdin == nil {
		return
	}
	if p.master != nil {
		if eof {
			p.master.Write([]byte{4})
			return
		}
		p.stdin = nil // the master itself is closed by its pump
		return
	}
	p.stdin.Close()
	p.stdin = nil
}

// Resize sets the PTY's size.
func (p *Proc) Resize(cols, rows uint16) *proto.Error {
	if p.master == nil {
		return proto.Errf(proto.BadRequest, "process %d has no terminal: start it with tty to resize it", p.Pid)
	}
	if err := setSize(p.master, cols, rows); err != nil {
		return proto.FromOS(err, "resize")
	}
	return nil
}
