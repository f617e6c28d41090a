package proc

import (
	"os"
	"strings"
	"time"

	"sbx.dev/agent/internal/frame"
	"sbx.dev/agent/internal/proto"
	"sbx.dev/agent/internal/user"
)

// RunParams are `run`'s fields.
type RunParams struct {
	proto.Header
	Cmd        []string          `json:"cmd"`
	Cwd        string            `json:"cwd"`
	Env        map[string]string `json:"env"`
	User       string            `json:"user"`
	TTY        *proto.Size       `json:"tty"`
	Stdin      bool              `json:"stdin"`
	TimeoutMs  *int64            `json:"timeoutMs"`
	Background bool              `json:"background"`
	Tag        string            `json:"tag"`
}

// Accounts resolves `user` fields; tests point it at their own files.
var Accounts = user.System

// spec validates a run's fields into a Spec.
func (r *RunParams) spec() (Spec, *proto.Error) {
	s := Spec{Argv: r.Cmd, Dir: r.Cwd, Stdin: r.Stdin, Background: r.Background, Tag: r.Tag}
	if len(r.Cmd) == 0 || len(r.Cmd) > 4096 || r.Cmd[0] == "" {
		return s, proto.Errf(proto.BadRequest, "cmd must be 1 to 4096 strings, the first one the command to run")
	}
	for _, arg := range r.Cmd {
		if strings.IndexByte(arg, 0) >= 0 {
			return s, proto.Errf(proto.BadRequest, "cmd contains a NUL byte")
		}
	}
	if r.Cwd != "" {
		if err := proto.Path("cwd", r.Cwd); err != nil {
			return s, err
		}
	}
	if len(r.Tag) > 256 {
		return s, proto.Errf(proto.BadRequest, "tag is %d bytes: at most 256", len(r.Tag))
	}
	ms, err := proto.Range("timeoutMs", r.TimeoutMs, 1, 1<<31-1, 0)
	if err != nil {
		return s, err
	}
	s.Timeout = time.Duration(ms) * time.Millisecond
	if r.TTY != nil {
		if s.Cols, s.Rows, err = r.TTY.Check("tty"); err != nil {
			return s, err
		}
		s.TTY = true
	}
	if s.Cred, err = Accounts.Resolve(r.User); err != nil {
		return s, err
	}
	if err := user.Permit(s.Cred); err != nil {
		return s, err
	}
	s.Env, err = environment(s.Cred, r.Env)
	return s, err
}

// environment is the agent's own environment, then the user's HOME/USER/LOGNAME, then the caller's env.
func environment(cred *user.Cred, extra map[string]string) ([]string, *proto.Error) {
	if len(extra) > 1024 {
		return nil, proto.Errf(proto.BadRequest, "env has %d variables: at most 1024", len(extra))
	}
	order := []string{}
	values := map[string]string{}
	set := func(k, v string) {
		if _, ok := values[k]; !ok {
			order = append(order, k)
		}
		values[k] = v
	}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			set(k, v)
		}
	}
	if cred != nil && cred.Name != "" {
		set("HOME", cred.Home)
		set("USER", cred.Name)
		set("LOGNAME", cred.Name)
	}
	for k, v := range extra {
		if k == "" || strings.ContainsAny(k, "=\x00") || strings.IndexByte(v, 0) >= 0 {
			return nil, proto.Errf(proto.BadRequest, "env name %q must be non-empty without = or NUL, its value without NUL", cut(k, 64))
		}
		set(k, v)
	}
	env := make([]string, 0, len(order))
	for _, k := range order {
		env = append(env, k+"="+values[k])
	}
	return env, nil
}

// Run is the `run` operation.
func (t *Table) Run(c *frame.Conn, payload []byte) *proto.Error {
	var params RunParams
	if err := proto.Decode(payload, &params); err != nil {
		return err
	}
	spec, perr := params.spec()
	if perr != nil {
		return perr
	}
	p, perr := t.Start(spec)
	if perr != nil {
		return perr
	}
	if err := c.SendJSON(frame.OK, map[string]int{"pid": p.Pid}); err != nil {
		if !p.Background {
			p.Kill(9)
		}
		return nil
	}
	return t.follow(c, p, &Cursor{}, spec.Stdin, !p.Background)
}

// follow streams a process's output to the connection while a reader goroutine takes the host's frames; a
// foreground process is killed when the connection goes.
func (t *Table) follow(c *frame.Conn, p *Proc, cur *Cursor, stdin, foreground bool) *proto.Error {
	if foreground {
		p.mu.Lock()
		p.primary = cur
		p.mu.Unlock()
	}
	go func() {
		if perr := hostFrames(c, p, stdin); perr != nil {
			c.SendJSON(frame.Error, perr) // before the stream stops: its end closes the connection
			c.Close()
		}
		p.CloseCursor(cur)
		if foreground {
			p.Kill(9)
		}
	}()
	p.Stream(c, cur) // ends with the `end` frame unless the connection went first
	return nil
}

// hostFrames applies stdin/stdin_eof/control frames until the connection ends (nil) or breaks the protocol.
func hostFrames(c *frame.Conn, p *Proc, stdin bool) *proto.Error {
	for {
		f, err := c.Read()
		if err != nil {
			if err == frame.ErrTooLarge {
				return proto.Errf(proto.BadRequest, "a frame over 1 MiB")
			}
			return nil
		}
		switch {
		case (f.Kind == frame.Stdin || f.Kind == frame.StdinEOF) && !stdin:
			return proto.Errf(proto.BadRequest, "stdin frames need stdin: true in the open")
		case f.Kind == frame.Stdin:
			if p.WriteStdin(c, f.Payload) == frame.ErrGone {
				return nil
			}
		case f.Kind == frame.StdinEOF:
			p.CloseStdin(true)
		case f.Kind == frame.Control:
			if perr := applyControl(p, f.Payload); perr != nil {
				return perr
			}
		default:
			return proto.Errf(proto.BadRequest, "frame kind %d is not expected while a process runs", f.Kind)
		}
	}
}

type controlParams struct {
	Resize *proto.Size `json:"resize"`
	Signal *string     `json:"signal"`
}

func applyControl(p *Proc, payload []byte) *proto.Error {
	var params controlParams
	if err := proto.Decode(payload, &params); err != nil {
		return err
	}
	if params.Resize != nil {
		cols, rows, err := params.Resize.Check("resize")
		if err != nil {
			return err
		}
		if p.master != nil {
			p.Resize(cols, rows)
		}
	}
	if params.Signal != nil {
		sig, err := proto.Signal(*params.Signal)
		if err != nil {
			return err
		}
		p.Kill(sysSignal(sig))
	}
	return nil
}
