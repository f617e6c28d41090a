package proc

import (
	"encoding/json"
	"os"
	"sync"
	"syscall"
	"time"

	"sbx.dev/agent/internal/frame"
	"sbx.dev/agent/internal/proto"
)

// Output kept per stream: 1 MiB for a background process; a foreground one's ring only carries output to its
// connection (which holds the process back while it is behind), so 64 KiB.
const (
	BackgroundRing = 1 << 20
	ForegroundRing = 64 << 10
	drainAfterExit = 100 * time.Millisecond
)

// Proc is one process the agent started.
type Proc struct {
	Pid         int
	Cmd         []string
	Tag         string
	TTY         bool
	Background  bool
	StartedAtMs int64
	HasStdin    bool

	mu       sync.Mutex
	cond     *sync.Cond
	streams  []*Ring // stdout, stderr (a PTY: stdout only)
	pipes    []*os.File
	pumping  int
	exited   bool
	status   syscall.WaitStatus
	timedOut bool
	primary  *Cursor // the foreground run's connection: output waits for it
	timer    *time.Timer

	stdinMu sync.Mutex
	stdin   *os.File // the write end of stdin, or the PTY master; nil once closed
	master  *os.File
}

// Cursor is one reader's position in a process's output; Closed stops it.
type Cursor struct {
	off    [2]int64
	closed bool
}

func newProc(bg bool) *Proc {
	p := &Proc{Background: bg}
	p.cond = sync.NewCond(&p.mu)
	return p
}

func (p *Proc) ringLimit() int {
	if p.Background {
		return BackgroundRing
	}
	return ForegroundRing
}

// pump copies one output stream into its ring until EOF (or 100 ms after the process exited).
func (p *Proc) pump(i int, f *os.File) {
	ring := p.streams[i]
	buf := make([]byte, 32<<10)
	for {
		n, err := f.Read(buf)
		if n > 0 {
			p.mu.Lock()
			for p.primary != nil && !p.primary.closed && ring.Total()+int64(n)-p.primary.off[i] > int64(ring.limit) {
				p.cond.Wait()
			}
			ring.Write(buf[:n])
			p.cond.Broadcast()
			p.mu.Unlock()
		}
		if err != nil {
			break
		}
	}
	f.Close()
	p.mu.Lock()
	p.pumping--
	p.cond.Broadcast()
	p.mu.Unlock()
}

// exit records the status (called by the reaper) and bounds how long output is still read.
func (p *Proc) exit(status syscall.WaitStatus) {
	p.mu.Lock()
	p.exited = true
	p.status = status
	if p.timer != nil {
		p.timer.Stop()
	}
	for _, f := range p.pipes {
		f.SetReadDeadline(time.Now().Add(drainAfterExit))
	}
	p.cond.Broadcast()
	p.mu.Unlock()
	p.CloseStdin(false)
}

func (p *Proc) finished() bool { return p.exited && p.pumping == 0 }

// Running says whether the process has not exited.
func (p *Proc) Running() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return !p.exited
}

// Kill signals the process group (nothing once the process has exited: its pid may be reused).
func (p *Proc) Kill(sig syscall.Signal) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.exited {
		syscall.Kill(-p.Pid, sig)
	}
}

// resultLocked is the `end` of a run or attach.
func (p *Proc) resultLocked() map[string]interface{} {
	out := map[string]interface{}{}
	if p.status.Signaled() {
		out["exitCode"] = 128 + int(p.status.Signal())
		out["signal"] = signalName(p.status.Signal())
	} else {
		out["exitCode"] = p.status.ExitStatus()
	}
	if p.timedOut {
		out["timedOut"] = true
	}
	return out
}

func signalName(sig syscall.Signal) string {
	if name, ok := proto.SignalNames[int(sig)]; ok {
		return name
	}
	return "SIG" + sig.String()
}

// streamBatch bounds the output gathered into one write: what is ready, as frames of at most MaxData each.
const streamBatch = 4 * frame.MaxData

// Stream sends the output from the cursor on until the process is finished, then its `end` (nil), or until the
// cursor is closed or a send fails (an error). What is ready goes out in one write, and the last output with
// the `end` when the process has finished by then: a short command costs the host one read, not three.
func (p *Proc) Stream(c *frame.Conn, cur *Cursor) error {
	kinds := [2]frame.Kind{frame.Stdout, frame.Stderr}
	for {
		p.mu.Lock()
		for !cur.closed && !p.readyLocked(cur) && !p.finished() {
			p.cond.Wait()
		}
		if cur.closed {
			p.mu.Unlock()
			return errClosed
		}
		var batch []byte
		for len(batch) < streamBatch {
			chunk, which := p.nextLocked(cur)
			if chunk == nil {
				break
			}
			batch = frame.Append(batch, kinds[which], chunk)
		}
		done := p.finished() && !p.readyLocked(cur)
		if done {
			end, err := json.Marshal(p.resultLocked())
			if err != nil {
				p.mu.Unlock()
				return err
			}
			batch = frame.Append(batch, frame.End, end)
		}
		p.cond.Broadcast() // the pump may wait for this reader
		p.mu.Unlock()
		if err := c.SendFrames(batch); err != nil {
			return err
		}
		if done {
			return nil
		}
	}
}

// readyLocked says whether the cursor has output to read.
func (p *Proc) readyLocked(cur *Cursor) bool {
	for i, ring := range p.streams {
		if ring.Total() > cur.off[i] {
			return true
		}
	}
	return false
}

// nextLocked takes the next chunk for the cursor (stdout first), nil when there is none.
func (p *Proc) nextLocked(cur *Cursor) ([]byte, int) {
	for i, ring := range p.streams {
		data, at := ring.Read(cur.off[i], frame.MaxData)
		if len(data) > 0 {
			cur.off[i] = at + int64(len(data))
			return data, i
		}
	}
	return nil, 0
}

// CloseCursor stops a Stream and releases the output it held back.
func (p *Proc) CloseCursor(cur *Cursor) {
	p.mu.Lock()
	cur.closed = true
	p.cond.Broadcast()
	p.mu.Unlock()
}
