// Package files holds the file operations (stat, list, mkdir, move, remove, read, write) and the way every
// file-touching operation acts as another user: the filesystem identity of one OS thread.
package files

import (
	"runtime"
	"syscall"
	"unsafe"

	"sbx.dev/agent/internal/proto"
	"sbx.dev/agent/internal/user"
)

// As runs fn with cred's filesystem identity (fsuid, fsgid, groups) when cred differs from the agent's own. It
// runs fn on a goroutine locked to its own OS thread, changed for that thread only and never unlocked: the
// thread ends with the goroutine, so no other goroutine ever runs with that identity. Go's runtime starts
// new threads from a clean template thread, never from a locked one.
func As(cred *user.Cred, fn func() *proto.Error) *proto.Error {
	if err := user.Permit(cred); err != nil {
		return err
	}
	if !cred.Switches() {
		return fn()
	}
	done := make(chan *proto.Error, 1)
	go func() {
		runtime.LockOSThread()
		if err := setThreadIdentity(cred); err != nil {
			done <- proto.Errf(proto.PermissionDenied, "cannot act as uid %d: %v", cred.UID, err)
			return
		}
		done <- fn()
	}()
	return <-done
}

func setThreadIdentity(cred *user.Cred) error {
	groups := cred.Groups
	if len(groups) == 0 {
		groups = []uint32{cred.GID}
	}
	// Raw syscalls: syscall.Setgroups would change every thread of the process.
	if _, _, errno := syscall.RawSyscall(syscall.SYS_SETGROUPS, uintptr(len(groups)), uintptr(unsafe.Pointer(&groups[0])), 0); errno != 0 {
		return errno
	}
	syscall.RawSyscall(syscall.SYS_SETFSGID, uintptr(cred.GID), 0, 0)
	syscall.RawSyscall(syscall.SYS_SETFSUID, uintptr(cred.UID), 0, 0)
	// setfsuid/setfsgid report the previous id, never an error: ask again (an invalid id changes nothing).
	gid, _, _ := syscall.RawSyscall(syscall.SYS_SETFSGID, ^uintptr(0), 0, 0)
	uid, _, _ := syscall.RawSyscall(syscall.SYS_SETFSUID, ^uintptr(0), 0, 0)
	if uint32(uid) != cred.UID || uint32(gid) != cred.GID {
		return syscall.EPERM
	}
	return nil
}
