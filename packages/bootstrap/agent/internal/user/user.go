// Package user resolves the `user` field ("name", "uid" or "uid:gid") against the sandbox's /etc/passwd and
// /etc/group, without cgo.
package user

import (
	"bufio"
	"io"
	"os"
	"strconv"
	"strings"

	"sbx.dev/agent/internal/proto"
)

// Cred is a resolved user: ids, supplementary groups and the passwd facts a process's environment needs.
type Cred struct {
	UID, GID uint32
	Groups   []uint32
	Name     string
	Home     string
}

// Files are the account databases read; tests point them elsewhere.
type Files struct {
	Passwd, Group string
}

// System is the sandbox's own /etc/passwd and /etc/group.
var System = Files{Passwd: "/etc/passwd", Group: "/etc/group"}

const maxDB = 4 << 20 // an account file larger than this is not read past it

// Resolve turns a `user` field into a Cred. An empty spec is nil, nil (the agent's own user).
func (f Files) Resolve(spec string) (*Cred, *proto.Error) {
	if spec == "" {
		return nil, nil
	}
	if len(spec) > 256 || strings.ContainsAny(spec, "\x00\n") {
		return nil, proto.Errf(proto.BadRequest, "user must be a name, a uid or uid:gid: got %q", cut(spec))
	}
	idPart, gidPart, hasGid := strings.Cut(spec, ":")
	var cred *Cred
	if uid, ok := parseID(idPart); ok {
		cred = &Cred{UID: uid}
		if entry, found := f.lookup(func(fields []string) bool { return fields[2] == idPart }); found {
			cred = entry
		}
	} else {
		entry, found := f.lookup(func(fields []string) bool { return fields[0] == idPart })
		if !found {
			return nil, proto.Errf(proto.NotFound, "user %q is not in the sandbox's /etc/passwd: give a name it lists or a numeric uid", cut(idPart))
		}
		cred = entry
	}
	if hasGid {
		gid, ok := parseID(gidPart)
		if !ok {
			return nil, proto.Errf(proto.BadRequest, "user's gid must be a number from 0 to 2147483647: got %q", cut(gidPart))
		}
		cred.GID = gid
		cred.Groups = nil
	} else if cred.Name != "" {
		cred.Groups = f.groups(cred.Name, cred.GID)
	}
	return cred, nil
}

func parseID(s string) (uint32, bool) {
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil || n > 1<<31-1 {
		return 0, false
	}
	return uint32(n), true
}

// lookup finds the first passwd line whose fields match.
func (f Files) lookup(match func([]string) bool) (*Cred, bool) {
	var found *Cred
	scan(f.Passwd, func(fields []string) bool {
		if len(fields) < 7 || !match(fields) {
			return true
		}
		uid, ok1 := parseID(fields[2])
		gid, ok2 := parseID(fields[3])
		if !ok1 || !ok2 {
			return true
		}
		found = &Cred{UID: uid, GID: gid, Name: fields[0], Home: fields[5]}
		return false
	})
	return found, found != nil
}

// groups lists the gids whose /etc/group line names the user (plus the primary gid), at most 64.
func (f Files) groups(name string, primary uint32) []uint32 {
	out := []uint32{primary}
	scan(f.Group, func(fields []string) bool {
		if len(fields) < 4 {
			return true
		}
		for _, member := range strings.Split(fields[3], ",") {
			if member == name {
				if gid, ok := parseID(fields[2]); ok && gid != primary {
					out = append(out, gid)
				}
				break
			}
		}
		return len(out) < 64
	})
	return out
}

func scan(path string, each func([]string) bool) {
	file, err := os.Open(path)
	if err != nil {
		return
	}
	defer file.Close()
	lines := bufio.NewScanner(io.LimitReader(file, maxDB))
	lines.Buffer(make([]byte, 4096), 64<<10)
	for lines.Scan() {
		line := lines.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		if !each(strings.Split(line, ":")) {
			return
		}
	}
}

func cut(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}
