package proc

import (
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// Reaper owns every wait4 of the agent: it reaps any child (its own processes, and orphans when the agent is
// PID 1) and reports the ones it started.
type Reaper struct {
	mu      sync.Mutex
	waiting map[int]func(syscall.WaitStatus)
}

// NewReaper starts reaping on SIGCHLD. Nothing else in the agent may wait for a child.
func NewReaper() *Reaper {
	r := &Reaper{waiting: map[int]func(syscall.WaitStatus){}}
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGCHLD)
	go func() {
		for range ch {
			r.reap()
		}
	}()
	return r
}

// Spawn starts a child with start and calls done with its status when it ends. The registration happens
// before the reaper can see the child's exit.
func (r *Reaper) Spawn(start func() (int, error), done func(syscall.WaitStatus)) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	pid, err := start()
	if err != nil {
		return 0, err
	}
	r.waiting[pid] = done
	return pid, nil
}

func (r *Reaper) reap() {
	for {
		var status syscall.WaitStatus
		pid, err := syscall.Wait4(-1, &status, syscall.WNOHANG, nil)
		if err == syscall.EINTR {
			continue
		}
		if err != nil || pid <= 0 {
			return
		}
		r.mu.Lock()
		done := r.waiting[pid]
		delete(r.waiting, pid)
		r.mu.Unlock()
		if done != nil {
			done(status)
		}
	}
}
