package proc

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"sbx.dev/agent/internal/proto"
	"sbx.dev/agent/internal/user"
)

// Spec is a validated `run`.
type Spec struct {
	Argv       []string
	Dir        string
	Env        []string // the whole environment
	Cred       *user.Cred
	TTY        bool
	Cols, Rows uint16
	Stdin      bool
	Background bool
	Tag        string
	Timeout    time.Duration
}

// Start starts a process and lists it; its output is pumped into its rings from now on.
func (t *Table) Start(s Spec) (*Proc, *proto.Error) {
	path, perr := lookPath(s.Argv[0], s.Env)
	if perr != nil {
		return nil, perr
	}
	if s.Dir != "" {
		if info, err := os.Stat(s.Dir); err != nil {
			return nil, proto.FromOS(err, "cwd "+s.Dir)
		} else if !info.IsDir() {
			return nil, proto.Errf(proto.NotADirectory, "cwd %s is not a directory", s.Dir)
		}
	}
	if perr := t.reserve(); perr != nil {
		return nil, perr
	}
	p := newProc(s.Background)
	p.Cmd, p.Tag, p.TTY, p.HasStdin = s.Argv, s.Tag, s.TTY, s.Stdin
	child, err := p.openStdio(s)
	if err != nil {
		t.release()
		return nil, proto.FromOS(err, "open the process's stdio")
	}
	sys := &syscall.SysProcAttr{Setpgid: !s.TTY, Setsid: s.TTY, Setctty: s.TTY, Ctty: 0}
	if s.Cred.Switches() {
		sys.Credential = &syscall.Credential{Uid: s.Cred.UID, Gid: s.Cred.GID, Groups: s.Cred.Groups}
	}
	fds := make([]uintptr, len(child))
	for i, f := range child {
		fds[i] = f.Fd()
	}
	attr := &syscall.ProcAttr{Dir: s.Dir, Env: s.Env, Files: fds, Sys: sys}
	p.mu.Lock() // exit (from the reaper) waits until the process is set up
	pid, err := t.reaper.Spawn(func() (int, error) { return syscall.ForkExec(path, s.Argv, attr) }, func(ws syscall.WaitStatus) {
		p.exit(ws)
		t.exited(p)
	})
	closeAll(child)
	if err != nil {
		p.mu.Unlock()
		t.release()
		closeAll(p.pipes)
		p.CloseStdin(false)
		return nil, proto.FromOS(err, "start "+s.Argv[0])
	}
	p.Pid, p.StartedAtMs = pid, time.Now().UnixMilli()
	t.add(p) // before exit can run: an exited foreground process leaves the table, never stays in it
	p.mu.Unlock()
	for i, f := range p.pipes {
		go p.pump(i, f)
	}
	p.armTimeout(s.Timeout)
	return p, nil
}

// openStdio makes the process's stdin/stdout/stderr; it returns the child's ends (closed after the fork).
func (p *Proc) openStdio(s Spec) ([]*os.File, error) {
	limit := p.ringLimit()
	if s.TTY {
		master, slave, err := openPTY(s.Cols, s.Rows)
		if err != nil {
			return nil, err
		}
		if s.Cred.Switches() {
			slave.Chown(int(s.Cred.UID), -1)
		}
		p.master, p.stdin = master, master
		p.streams, p.pipes, p.pumping = []*Ring{NewRing(limit)}, []*os.File{master}, 1
		return []*os.File{slave, slave, slave}, nil
	}
	var child []*os.File
	if s.Stdin {
		r, w, err := os.Pipe()
		if err != nil {
			return nil, err
		}
		p.stdin, child = w, append(child, r)
	} else {
		null, err := os.Open(os.DevNull)
		if err != nil {
			return nil, err
		}
		child = append(child, null)
	}
	for i := 0; i < 2; i++ {
		r, w, err := os.Pipe()
		if err != nil {
			closeAll(child)
			closeAll(p.pipes)
			return nil, err
		}
		child = append(child, w)
		p.pipes = append(p.pipes, r)
		p.streams = append(p.streams, NewRing(limit))
	}
	p.pumping = 2
	return child, nil
}

func closeAll(files []*os.File) {
	seen := map[*os.File]bool{}
	for _, f := range files {
		if !seen[f] {
			seen[f] = true
			f.Close()
		}
	}
}

// lookPath finds a command without a slash on the PATH of the process's environment.
func lookPath(name string, env []string) (string, *proto.Error) {
	if strings.Contains(name, "/") {
		return name, nil
	}
	pathEnv := "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	for _, kv := range env {
		if strings.HasPrefix(kv, "PATH=") {
			pathEnv = kv[5:]
		}
	}
	for _, dir := range filepath.SplitList(pathEnv) {
		if dir == "" {
			dir = "."
		}
		candidate := filepath.Join(dir, name)
		if info, err := os.Stat(candidate); err == nil && info.Mode().IsRegular() && info.Mode()&0o111 != 0 {
			return candidate, nil
		}
	}
	return "", proto.Errf(proto.NotFound, "command %q not found on PATH (%s)", name, cut(pathEnv, 256))
}

func cut(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}
