package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"unsafe"

	"sbx.dev/agent/internal/proc"
	"sbx.dev/agent/internal/server"
)

// forwarded are the signals the agent passes on to the sandbox's command.
var forwarded = []os.Signal{syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP, syscall.SIGQUIT, syscall.SIGUSR1, syscall.SIGUSR2}

// runInit listens on the socket, runs cmd as a child and returns the exit code the agent must exit with.
func runInit(socket string, cmd []string) int {
	reaper := proc.NewReaper()
	signals := make(chan os.Signal, 16)
	signal.Notify(signals, forwarded...)
	if l, err := listen(socket); err != nil {
		fmt.Fprintf(os.Stderr, "sbx-agent: cannot listen on %s: %v (the sandbox runs without the agent)\n", socket, err)
	} else {
		go server.New(proc.NewTable(reaper)).Serve(l)
	}
	exited := make(chan syscall.WaitStatus, 1)
	pid, err := startCommand(reaper, cmd, exited)
	if err != nil {
		code := 126
		if errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ENOTDIR) {
			code = 127
		}
		fmt.Fprintf(os.Stderr, "sbx-agent: exec %s failed: %s\n", cmd[0], reason(err))
		return code
	}
	for {
		select {
		case sig := <-signals:
			syscall.Kill(pid, sig.(syscall.Signal))
		case status := <-exited:
			if status.Signaled() {
				return 128 + int(status.Signal())
			}
			return status.ExitStatus()
		}
	}
}

// listen binds the socket (a stale socket file from an earlier run is replaced) and opens it to every local
// user: the 0700 directory it lives in is the guard (PROTOCOL.md, "Start").
func listen(path string) (net.Listener, error) {
	if info, err := os.Lstat(path); err == nil && info.Mode()&os.ModeSocket != 0 {
		os.Remove(path)
	}
	// The mode comes from the umask at bind(2): gVisor refuses a later chmod of a socket on a host directory
	// (--host-uds=create). The umask is the process's: nothing else runs yet.
	old := syscall.Umask(0o111)
	l, err := net.Listen("unix", path)
	syscall.Umask(old)
	if err != nil {
		return nil, err
	}
	os.Chmod(path, 0o666) // where bind(2) did not apply the mode; gVisor refuses it and does
	return l, nil
}

// startCommand runs the sandbox's command with the agent's stdio and environment, in its own process group
// (the terminal's foreground group when stdin is a terminal).
func startCommand(reaper *proc.Reaper, cmd []string, exited chan<- syscall.WaitStatus) (int, error) {
	path, err := lookPath(cmd[0])
	if err != nil {
		return 0, err
	}
	sys := &syscall.SysProcAttr{Setpgid: true}
	if isTerminal(0) {
		sys.Foreground, sys.Ctty = true, 0
	}
	attr := &syscall.ProcAttr{Env: os.Environ(), Files: []uintptr{0, 1, 2}, Sys: sys}
	return reaper.Spawn(func() (int, error) { return syscall.ForkExec(path, cmd, attr) }, func(ws syscall.WaitStatus) {
		exited <- ws
	})
}

func lookPath(name string) (string, error) {
	if strings.Contains(name, "/") {
		return name, nil
	}
	pathEnv, ok := os.LookupEnv("PATH")
	if !ok {
		pathEnv = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	}
	denied := false
	for _, dir := range filepath.SplitList(pathEnv) {
		if dir == "" {
			dir = "."
		}
		candidate := filepath.Join(dir, name)
		info, err := os.Stat(candidate)
		if err != nil || info.IsDir() {
			continue
		}
		if info.Mode()&0o111 != 0 {
			return candidate, nil
		}
		denied = true
	}
	if denied {
		return "", syscall.EACCES
	}
	return "", syscall.ENOENT
}

// reason is strerror's text for an exec failure, with a capital first letter as tini prints it.
func reason(err error) string {
	var errno syscall.Errno
	text := err.Error()
	if errors.As(err, &errno) {
		text = errno.Error()
	}
	if text == "" {
		return "unknown error"
	}
	return strings.ToUpper(text[:1]) + text[1:]
}

func isTerminal(fd uintptr) bool {
	var termios syscall.Termios
	_, _, errno := syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TCGETS, uintptr(unsafe.Pointer(&termios)))
	return errno == 0
}
