// Package watch is the `watch` operation: inotify on a directory (recursive: every directory under it, new
// ones added as they appear), events streamed as they come.
package watch

import (
	"os"
	"path/filepath"
	"syscall"
	"unsafe"

	"sbx.dev/agent/internal/frame"
	"sbx.dev/agent/internal/proto"
)

// MaxDirs bounds the directories one watch holds.
const MaxDirs = 10000

const mask = syscall.IN_CREATE | syscall.IN_MODIFY | syscall.IN_DELETE | syscall.IN_MOVED_FROM |
	syscall.IN_MOVED_TO | syscall.IN_ATTRIB | syscall.IN_DELETE_SELF | syscall.IN_ONLYDIR

// Event is one `event` frame.
type Event struct {
	Type  string `json:"type"`
	Path  string `json:"path,omitempty"`
	IsDir bool   `json:"isDir"`
}

type watcher struct {
	fd        int
	file      *os.File
	dirs      map[int32]string
	root      int32
	recursive bool
	maxDirs   int
}

// Run watches root until the connection ends; it returns an error only before `ok` or when the limit is hit.
// maxDirs bounds the directories watched (MaxDirs in the agent).
func Run(c *frame.Conn, root string, recursive bool, maxDirs int) *proto.Error {
	info, err := os.Stat(root)
	if err != nil {
		return proto.FromOS(err, root)
	}
	if !info.IsDir() {
		return proto.Errf(proto.NotADirectory, "%s is not a directory: watch a directory", root)
	}
	fd, err := syscall.InotifyInit1(syscall.IN_CLOEXEC | syscall.IN_NONBLOCK)
	if err != nil {
		return proto.FromOS(err, "inotify")
	}
	w := &watcher{fd: fd, file: os.NewFile(uintptr(fd), "inotify"), dirs: map[int32]string{}, recursive: recursive, maxDirs: maxDirs}
	defer w.file.Close()
	if perr := w.add(root); perr != nil {
		return perr
	}
	if c.SendJSON(frame.OK, struct{}{}) != nil {
		return nil
	}
	// The host sends nothing more: its close (or any frame) ends the watch by closing inotify.
	go func() {
		c.Read()
		w.file.Close()
	}()
	return w.loop(c)
}

// add watches dir and, when recursive, every directory under it (links not followed).
func (w *watcher) add(dir string) *proto.Error {
	if len(w.dirs) >= w.maxDirs {
		return proto.Errf(proto.Limit, "the watch holds %d directories: at most %d; watch a smaller tree", len(w.dirs), w.maxDirs)
	}
	wd, err := syscall.InotifyAddWatch(w.fd, dir, mask)
	if err != nil {
		if err == syscall.ENOSPC {
			return proto.Errf(proto.Limit, "the kernel's inotify watch limit is reached (fs.inotify.max_user_watches)")
		}
		return proto.FromOS(err, "watch "+dir)
	}
	if len(w.dirs) == 0 {
		w.root = int32(wd)
	}
	w.dirs[int32(wd)] = dir
	if !w.recursive {
		return nil
	}
	f, err := os.Open(dir)
	if err != nil {
		return nil // gone or unreadable since: nothing under it to watch
	}
	entries, _ := f.ReadDir(-1)
	f.Close()
	for _, entry := range entries {
		if entry.IsDir() {
			if perr := w.add(filepath.Join(dir, entry.Name())); perr != nil && perr.Code == proto.Limit {
				return perr
			}
		}
	}
	return nil
}

func (w *watcher) loop(c *frame.Conn) *proto.Error {
	buf := make([]byte, 64<<10)
	for {
		n, err := w.file.Read(buf)
		if err != nil {
			return nil
		}
		for off := 0; off+syscall.SizeofInotifyEvent <= n; {
			raw := (*syscall.InotifyEvent)(unsafe.Pointer(&buf[off]))
			end := off + syscall.SizeofInotifyEvent + int(raw.Len)
			if end > n {
				break
			}
			name := string(trimNUL(buf[off+syscall.SizeofInotifyEvent : end]))
			off = end
			if perr := w.handle(c, raw.Wd, raw.Mask, name); perr != nil {
				return perr
			}
		}
	}
}

func (w *watcher) handle(c *frame.Conn, wd int32, m uint32, name string) *proto.Error {
	if m&syscall.IN_Q_OVERFLOW != 0 {
		return w.send(c, Event{Type: "overflow"})
	}
	if m&syscall.IN_IGNORED != 0 {
		delete(w.dirs, wd)
		return nil
	}
	dir, ok := w.dirs[wd]
	if !ok {
		return nil
	}
	path, isDir := dir, m&syscall.IN_ISDIR != 0
	if name != "" {
		path = filepath.Join(dir, name)
	}
	var kind string
	switch {
	case m&(syscall.IN_CREATE|syscall.IN_MOVED_TO) != 0:
		kind = "create"
		if isDir && w.recursive {
			if perr := w.add(path); perr != nil && perr.Code == proto.Limit {
				return perr
			}
		}
	case m&syscall.IN_MODIFY != 0:
		kind = "write"
	case m&syscall.IN_DELETE != 0:
		kind = "remove"
	case m&syscall.IN_DELETE_SELF != 0:
		if wd != w.root {
			return nil // a subdirectory's own removal was already reported by its parent
		}
		kind, isDir = "remove", true
	case m&syscall.IN_MOVED_FROM != 0:
		kind = "rename"
	case m&syscall.IN_ATTRIB != 0:
		kind = "chmod"
	default:
		return nil
	}
	return w.send(c, Event{Type: kind, Path: path, IsDir: isDir})
}

func (w *watcher) send(c *frame.Conn, e Event) *proto.Error {
	if c.SendJSON(frame.Event, e) != nil {
		w.file.Close()
	}
	return nil
}

func trimNUL(b []byte) []byte {
	for i, ch := range b {
		if ch == 0 {
			return b[:i]
		}
	}
	return b
}
