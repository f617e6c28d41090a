package files

import (
	"encoding/json"
	"os"
	"path/filepath"

	"sbx.dev/agent/internal/frame"
	"sbx.dev/agent/internal/proto"
	"sbx.dev/agent/internal/user"
)

// Params are the fields of every file operation (each uses its own subset; the rest must be absent).
type Params struct {
	proto.Header
	Path       string `json:"path"`
	From       string `json:"from"`
	To         string `json:"to"`
	User       string `json:"user"`
	Depth      *int64 `json:"depth"`
	MaxEntries *int64 `json:"maxEntries"`
	Mode       *int64 `json:"mode"`
	Append     bool   `json:"append"`
	Offset     *int64 `json:"offset"`
	Length     *int64 `json:"length"`
	Recursive  bool   `json:"recursive"`
}

// Accounts resolves `user` fields; tests point it at their own files.
var Accounts = user.System

// Handler is one file operation, run as the caller's user.
type Handler func(c *frame.Conn, p *Params) *proto.Error

// Serve decodes the params, checks that only allowed fields are set, resolves `user`, and runs h as that user.
func Serve(c *frame.Conn, payload []byte, allowed []string, h Handler) *proto.Error {
	var p Params
	if err := proto.Decode(payload, &p); err != nil {
		return err
	}
	var present map[string]json.RawMessage
	json.Unmarshal(payload, &present)
	ok := map[string]bool{"v": true, "op": true, "user": true}
	for _, name := range allowed {
		ok[name] = true
	}
	for name := range present {
		if !ok[name] {
			return proto.Errf(proto.BadRequest, "unknown field %q for %s", name, p.Op)
		}
	}
	cred, err := Accounts.Resolve(p.User)
	if err != nil {
		return err
	}
	return As(cred, func() *proto.Error { return h(c, &p) })
}

// DoStat is `stat`.
func DoStat(c *frame.Conn, p *Params) *proto.Error {
	path, err := clean("path", p.Path)
	if err != nil {
		return err
	}
	s, err := lstat(path)
	if err != nil {
		return err
	}
	c.SendJSON(frame.End, s)
	return nil
}

// DoMkdir is `mkdir` (mkdir -p).
func DoMkdir(c *frame.Conn, p *Params) *proto.Error {
	path, err := clean("path", p.Path)
	if err != nil {
		return err
	}
	mode, err := proto.Range("mode", p.Mode, 0, 0o7777, 0o755)
	if err != nil {
		return err
	}
	if info, statErr := os.Stat(path); statErr == nil {
		if !info.IsDir() {
			return proto.Errf(proto.NotADirectory, "%s exists and is not a directory", path)
		}
		c.SendJSON(frame.End, map[string]bool{"created": false})
		return nil
	}
	if mkErr := os.MkdirAll(path, os.FileMode(mode)&os.ModePerm); mkErr != nil {
		return proto.FromOS(mkErr, "mkdir "+path)
	}
	if p.Mode != nil {
		os.Chmod(path, fileMode(mode))
	}
	c.SendJSON(frame.End, map[string]bool{"created": true})
	return nil
}

// DoMove is `move` (rename(2), the destination's parents created).
func DoMove(c *frame.Conn, p *Params) *proto.Error {
	from, err := clean("from", p.From)
	if err != nil {
		return err
	}
	to, err := clean("to", p.To)
	if err != nil {
		return err
	}
	if _, statErr := os.Lstat(from); statErr != nil {
		return proto.FromOS(statErr, from)
	}
	if mkErr := os.MkdirAll(filepath.Dir(to), 0o755); mkErr != nil {
		return proto.FromOS(mkErr, "create the parents of "+to)
	}
	if mvErr := os.Rename(from, to); mvErr != nil {
		return proto.FromOS(mvErr, "move "+from+" to "+to)
	}
	c.SendJSON(frame.End, struct{}{})
	return nil
}

// DoRemove is `remove` (recursive; links are removed, not followed).
func DoRemove(c *frame.Conn, p *Params) *proto.Error {
	path, err := clean("path", p.Path)
	if err != nil {
		return err
	}
	if path == "/" {
		return proto.Errf(proto.BadRequest, "refusing to remove /")
	}
	if _, statErr := os.Lstat(path); statErr != nil {
		return proto.FromOS(statErr, path)
	}
	if rmErr := os.RemoveAll(path); rmErr != nil {
		return proto.FromOS(rmErr, "remove "+path)
	}
	c.SendJSON(frame.End, struct{}{})
	return nil
}

// fileMode turns permission bits (with setuid/setgid/sticky) into an os.FileMode.
func fileMode(bits int64) os.FileMode {
	m := os.FileMode(bits) & os.ModePerm
	if bits&0o4000 != 0 {
		m |= os.ModeSetuid
	}
	if bits&0o2000 != 0 {
		m |= os.ModeSetgid
	}
	if bits&0o1000 != 0 {
		m |= os.ModeSticky
	}
	return m
}
