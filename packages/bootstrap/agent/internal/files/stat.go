package files

import (
	"os"
	"path/filepath"
	"syscall"

	"sbx.dev/agent/internal/proto"
)

// Stat is the `stat` result, and one entry of `list`.
type Stat struct {
	Name       string `json:"name"`
	Path       string `json:"path"`
	Type       string `json:"type"`
	Size       int64  `json:"size"`
	Mode       uint32 `json:"mode"`
	MtimeMs    int64  `json:"mtimeMs"`
	LinkTarget string `json:"linkTarget,omitempty"`
}

// Describe turns an lstat result into a Stat.
func Describe(path string, info os.FileInfo) Stat {
	s := Stat{Name: filepath.Base(path), Path: path, Size: info.Size(), MtimeMs: info.ModTime().UnixMilli()}
	s.Mode = uint32(info.Mode().Perm())
	if sys, ok := info.Sys().(*syscall.Stat_t); ok {
		s.Mode = sys.Mode & 0o7777
	}
	switch {
	case info.Mode().IsRegular():
		s.Type = "file"
	case info.IsDir():
		s.Type = "directory"
	case info.Mode()&os.ModeSymlink != 0:
		s.Type = "symlink"
		if target, err := os.Readlink(path); err == nil {
			s.LinkTarget = target
		}
	default:
		s.Type = "other"
	}
	return s
}

// lstat is Describe of an lstat, with the protocol's errors.
func lstat(path string) (Stat, *proto.Error) {
	info, err := os.Lstat(path)
	if err != nil {
		return Stat{}, proto.FromOS(err, path)
	}
	return Describe(path, info), nil
}

// clean checks an absolute path field and cleans it ("/a/../b" is "/b").
func clean(name, path string) (string, *proto.Error) {
	if err := proto.Path(name, path); err != nil {
		return "", err
	}
	return filepath.Clean(path), nil
}
