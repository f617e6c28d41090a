package proc

import (
	"errors"
	"sort"
	"sync"
	"syscall"
	"time"

	"sbx.dev/agent/internal/proto"
)

var errClosed = errors.New("connection closed")

// Caps of the process table.
const (
	MaxRunning = 256
	MaxEnded   = 64
)

// Table is the agent's processes: running ones, and ended background ones kept for ps/attach.
type Table struct {
	reaper     *Reaper
	maxRunning int
	maxEnded   int

	mu      sync.Mutex
	procs   map[int]*Proc
	running int
	ended   []*Proc // ended background processes, oldest first
}

// NewTable makes a table that starts processes through reaper.
func NewTable(reaper *Reaper) *Table {
	return &Table{reaper: reaper, maxRunning: MaxRunning, maxEnded: MaxEnded, procs: map[int]*Proc{}}
}

// reserve takes one of the running slots.
func (t *Table) reserve() *proto.Error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.running >= t.maxRunning {
		return proto.Errf(proto.Limit, "%d processes already run in this sandbox: at most %d at once; wait for one to end or signal one", t.running, t.maxRunning)
	}
	t.running++
	return nil
}

func (t *Table) release() {
	t.mu.Lock()
	t.running--
	t.mu.Unlock()
}

// add lists a started process (a kept ended one with the same, reused pid goes).
func (t *Table) add(p *Proc) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if old, ok := t.procs[p.Pid]; ok {
		t.dropEnded(old)
	}
	t.procs[p.Pid] = p
}

func (t *Table) dropEnded(p *Proc) {
	for i, q := range t.ended {
		if q == p {
			t.ended = append(t.ended[:i], t.ended[i+1:]...)
			return
		}
	}
}

// exited moves a process out of the running count: a foreground one leaves the table, a background one is kept.
func (t *Table) exited(p *Proc) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.running--
	if !p.Background {
		if t.procs[p.Pid] == p {
			delete(t.procs, p.Pid)
		}
		return
	}
	t.ended = append(t.ended, p)
	for len(t.ended) > t.maxEnded {
		oldest := t.ended[0]
		t.ended = t.ended[1:]
		if t.procs[oldest.Pid] == oldest {
			delete(t.procs, oldest.Pid)
		}
	}
}

// Get finds a listed process.
func (t *Table) Get(pid int64) (*Proc, *proto.Error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if p, ok := t.procs[int(pid)]; ok {
		return p, nil
	}
	return nil, proto.Errf(proto.NotFound, "no process %d: the agent lists only processes it started (see ps)", pid)
}

// MaxPsCmd bounds the bytes of one process's cmd in ps (the whole list stays within one frame: 320 rows).
const MaxPsCmd = 2048

// trimCmd keeps the leading arguments of cmd within max bytes (the last one kept cut short).
func trimCmd(cmd []string, max int) []string {
	out := []string{}
	for _, arg := range cmd {
		if len(arg) > max {
			return append(out, arg[:max])
		}
		out = append(out, arg)
		max -= len(arg)
	}
	return out
}

// Info is one row of ps.
type Info struct {
	Pid         int      `json:"pid"`
	Cmd         []string `json:"cmd"`
	Tag         string   `json:"tag"`
	TTY         bool     `json:"tty"`
	Background  bool     `json:"background"`
	StartedAtMs int64    `json:"startedAtMs"`
	Running     bool     `json:"running"`
	ExitCode    *int     `json:"exitCode,omitempty"`
	Signal      string   `json:"signal,omitempty"`
}

// List is ps: every listed process, oldest started first.
func (t *Table) List() []Info {
	t.mu.Lock()
	procs := make([]*Proc, 0, len(t.procs))
	for _, p := range t.procs {
		procs = append(procs, p)
	}
	t.mu.Unlock()
	out := make([]Info, 0, len(procs))
	for _, p := range procs {
		info := Info{Pid: p.Pid, Cmd: trimCmd(p.Cmd, MaxPsCmd), Tag: p.Tag, TTY: p.TTY, Background: p.Background, StartedAtMs: p.StartedAtMs}
		p.mu.Lock()
		info.Running = !p.exited
		if p.exited {
			res := p.resultLocked()
			code := res["exitCode"].(int)
			info.ExitCode = &code
			info.Signal, _ = res["signal"].(string)
		}
		p.mu.Unlock()
		out = append(out, info)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].StartedAtMs != out[j].StartedAtMs {
			return out[i].StartedAtMs < out[j].StartedAtMs
		}
		return out[i].Pid < out[j].Pid
	})
	return out
}

// armTimeout kills the group after d and marks the run timed out.
func (p *Proc) armTimeout(d time.Duration) {
	if d <= 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.exited {
		return
	}
	p.timer = time.AfterFunc(d, func() {
		p.mu.Lock()
		if !p.exited {
			p.timedOut = true
			syscall.Kill(-p.Pid, syscall.SIGKILL)
		}
		p.mu.Unlock()
	})
}

// WithLimits sets the caps (tests use small ones).
func (t *Table) WithLimits(running, ended int) *Table {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.maxRunning, t.maxEnded = running, ended
	return t
}
