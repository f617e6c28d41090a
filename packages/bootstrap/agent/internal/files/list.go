package files

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"

	"sbx.dev/agent/internal/frame"
	"sbx.dev/agent/internal/proto"
)

// MaxListBytes bounds the encoded entries of one `list` so its `end` fits a frame with room to spare.
const MaxListBytes = 900 << 10

type lister struct {
	entries   []Stat
	bytes     int
	max       int
	truncated bool
}

// DoList is `list`: depth-first, each directory's entries in name order, links not followed.
func DoList(c *frame.Conn, p *Params) *proto.Error {
	path, err := clean("path", p.Path)
	if err != nil {
		return err
	}
	depth, err := proto.Range("depth", p.Depth, 1, 16, 1)
	if err != nil {
		return err
	}
	max, err := proto.Range("maxEntries", p.MaxEntries, 1, 10000, 10000)
	if err != nil {
		return err
	}
	info, statErr := os.Stat(path)
	if statErr != nil {
		return proto.FromOS(statErr, path)
	}
	if !info.IsDir() {
		return proto.Errf(proto.NotADirectory, "%s is not a directory", path)
	}
	l := &lister{max: int(max), entries: []Stat{}}
	if walkErr := l.walk(path, int(depth)); walkErr != nil {
		return walkErr
	}
	c.SendJSON(frame.End, map[string]interface{}{"entries": l.entries, "truncated": l.truncated})
	return nil
}

func (l *lister) walk(dir string, depth int) *proto.Error {
	f, err := os.Open(dir)
	if err != nil {
		return proto.FromOS(err, dir)
	}
	names, err := f.Readdirnames(-1)
	f.Close()
	if err != nil {
		return proto.FromOS(err, dir)
	}
	sort.Strings(names)
	for _, name := range names {
		if l.truncated {
			return nil
		}
		path := filepath.Join(dir, name)
		info, err := os.Lstat(path)
		if err != nil {
			continue // gone since the directory was read
		}
		if !l.add(Describe(path, info)) {
			return nil
		}
		if info.IsDir() && depth > 1 {
			if err := l.walk(path, depth-1); err != nil && err.Code != proto.PermissionDenied && err.Code != proto.NotFound {
				return err
			}
		}
	}
	return nil
}

// add keeps an entry unless the count or the encoded size is reached (then the list is truncated).
func (l *lister) add(s Stat) bool {
	encoded, _ := json.Marshal(s)
	if len(l.entries) >= l.max || l.bytes+len(encoded)+1 > MaxListBytes {
		l.truncated = true
		return false
	}
	l.entries = append(l.entries, s)
	l.bytes += len(encoded) + 1
	return true
}
