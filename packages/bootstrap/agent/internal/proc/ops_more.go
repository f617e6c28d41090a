package proc

import (
	"syscall"

	"sbx.dev/agent/internal/frame"
	"sbx.dev/agent/internal/proto"
)

func sysSignal(n int) syscall.Signal { return syscall.Signal(n) }

type pidParams struct {
	proto.Header
	Pid    *int64 `json:"pid"`
	Stdin  bool   `json:"stdin"`
	Signal string `json:"signal"`
	Cols   *int64 `json:"cols"`
	Rows   *int64 `json:"rows"`
}

func (t *Table) lookup(payload []byte, params *pidParams) (*Proc, *proto.Error) {
	if err := proto.Decode(payload, params); err != nil {
		return nil, err
	}
	if params.Pid == nil || *params.Pid <= 0 || *params.Pid > 1<<31-1 {
		return nil, proto.Errf(proto.BadRequest, "pid must be a process id (an integer > 0)")
	}
	return t.Get(*params.Pid)
}

// Attach is the `attach` operation: the kept output, then live output, then the end.
func (t *Table) Attach(c *frame.Conn, payload []byte) *proto.Error {
	var params pidParams
	p, err := t.lookup(payload, &params)
	if err != nil {
		return err
	}
	if params.Signal != "" || params.Cols != nil || params.Rows != nil {
		return proto.Errf(proto.BadRequest, "attach takes pid and stdin only")
	}
	if params.Stdin && !p.HasStdin {
		return proto.Errf(proto.BadRequest, "process %d was not started with stdin: true", p.Pid)
	}
	cur := &Cursor{}
	p.mu.Lock()
	truncated := false
	for i, ring := range p.streams {
		cur.off[i] = ring.Start()
		truncated = truncated || ring.Start() > 0
	}
	p.mu.Unlock()
	ok := map[string]interface{}{"pid": p.Pid, "cmd": p.Cmd, "tty": p.TTY, "truncated": truncated}
	if c.SendJSON(frame.OK, ok) != nil {
		return nil
	}
	return t.follow(c, p, cur, params.Stdin, false)
}

// Ps is the `ps` operation.
func (t *Table) Ps(c *frame.Conn, payload []byte) *proto.Error {
	var params proto.Header
	if err := proto.Decode(payload, &params); err != nil {
		return err
	}
	c.SendJSON(frame.End, map[string]interface{}{"processes": t.List()})
	return nil
}

// Signal is the `signal` operation (to the process group).
func (t *Table) Signal(c *frame.Conn, payload []byte) *proto.Error {
	var params pidParams
	p, err := t.lookup(payload, &params)
	if err != nil {
		return err
	}
	sig, err := proto.Signal(params.Signal)
	if err != nil {
		return err
	}
	if !p.Running() {
		return proto.Errf(proto.NotFound, "process %d has ended", p.Pid)
	}
	p.Kill(sysSignal(sig))
	c.SendJSON(frame.End, struct{}{})
	return nil
}

// Resize is the `resize` operation.
func (t *Table) Resize(c *frame.Conn, payload []byte) *proto.Error {
	var params pidParams
	p, err := t.lookup(payload, &params)
	if err != nil {
		return err
	}
	cols, rows, err := (&proto.Size{Cols: params.Cols, Rows: params.Rows}).Check("resize")
	if err != nil {
		return err
	}
	if err := p.Resize(cols, rows); err != nil {
		return err
	}
	c.SendJSON(frame.End, struct{}{})
	return nil
}

// Stdin is the `stdin` operation: stdin frames until stdin_eof (closes it) or end (leaves it open).
func (t *Table) Stdin(c *frame.Conn, payload []byte) *proto.Error {
	var params pidParams
	p, err := t.lookup(payload, &params)
	if err != nil {
		return err
	}
	if !p.HasStdin {
		return proto.Errf(proto.BadRequest, "process %d was not started with stdin: true", p.Pid)
	}
	for {
		f, rerr := c.Read()
		if rerr != nil {
			if rerr == frame.ErrTooLarge {
				return proto.Errf(proto.BadRequest, "a frame over 1 MiB")
			}
			return nil
		}
		switch f.Kind {
		case frame.Stdin:
			if err := p.WriteStdin(c, f.Payload); err == frame.ErrGone {
				return nil
			} else if err != nil {
				return proto.Errf(proto.NotFound, "process %d's stdin is closed", p.Pid)
			}
		case frame.StdinEOF:
			p.CloseStdin(true)
			c.SendJSON(frame.End, struct{}{})
			return nil
		case frame.End:
			c.SendJSON(frame.End, struct{}{})
			return nil
		default:
			return proto.Errf(proto.BadRequest, "frame kind %d is not expected in a stdin operation", f.Kind)
		}
	}
}
