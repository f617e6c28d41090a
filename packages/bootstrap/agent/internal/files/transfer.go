package files

import (
	"io"
	"os"
	"path/filepath"
	"syscall"

	"sbx.dev/agent/internal/frame"
	"sbx.dev/agent/internal/proto"
)

// DoRead is `read`: ok {size, mode}, data frames of at most 64 KiB, end {}.
func DoRead(c *frame.Conn, p *Params) *proto.Error {
	path, err := clean("path", p.Path)
	if err != nil {
		return err
	}
	offset, err := proto.Range("offset", p.Offset, 0, 1<<62, 0)
	if err != nil {
		return err
	}
	length, err := proto.Range("length", p.Length, 0, 1<<62, -1)
	if err != nil {
		return err
	}
	// O_NONBLOCK: opening a FIFO never waits for a writer; it is refused below as not a regular file.
	f, openErr := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if openErr != nil {
		return proto.FromOS(openErr, path)
	}
	defer f.Close()
	info, statErr := f.Stat()
	if statErr != nil {
		return proto.FromOS(statErr, path)
	}
	if info.IsDir() {
		return proto.Errf(proto.IsADirectory, "%s is a directory: list it, or read a file", path)
	}
	if !info.Mode().IsRegular() {
		return proto.Errf(proto.BadRequest, "%s is not a regular file", path)
	}
	if offset > 0 {
		if _, seekErr := f.Seek(offset, io.SeekStart); seekErr != nil {
			return proto.FromOS(seekErr, path)
		}
	}
	if c.SendJSON(frame.OK, map[string]interface{}{"size": info.Size(), "mode": Describe(path, info).Mode}) != nil {
		return nil
	}
	var r io.Reader = f
	if length >= 0 {
		r = io.LimitReader(f, length)
	}
	buf := make([]byte, frame.MaxData)
	for {
		n, readErr := r.Read(buf)
		if n > 0 && c.Send(frame.Data, buf[:n]) != nil {
			return nil
		}
		if readErr == io.EOF {
			break
		}
		if readErr != nil {
			return proto.FromOS(readErr, "read "+path)
		}
	}
	c.SendJSON(frame.End, struct{}{})
	return nil
}

// DoWrite is `write`: ok {}, then the host's data frames and end {}; the file is replaced by rename (append:
// written in place) once end arrives, then end {"size"}.
func DoWrite(c *frame.Conn, p *Params) *proto.Error {
	path, err := clean("path", p.Path)
	if err != nil {
		return err
	}
	mode, err := proto.Range("mode", p.Mode, 0, 0o7777, 0o644)
	if err != nil {
		return err
	}
	if info, statErr := os.Stat(path); statErr == nil && info.IsDir() {
		return proto.Errf(proto.IsADirectory, "%s is a directory", path)
	}
	dir := filepath.Dir(path)
	if mkErr := os.MkdirAll(dir, 0o755); mkErr != nil {
		return proto.FromOS(mkErr, "create the parents of "+path)
	}
	var f *os.File
	var openErr error
	if p.Append {
		f, openErr = os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, fileMode(mode))
	} else {
		f, openErr = os.CreateTemp(dir, "."+filepath.Base(path)+".sbx-*")
	}
	if openErr != nil {
		return proto.FromOS(openErr, "write "+path)
	}
	committed := false
	defer func() {
		f.Close()
		if !p.Append && !committed {
			os.Remove(f.Name())
		}
	}()
	if c.SendJSON(frame.OK, struct{}{}) != nil {
		return nil
	}
	for {
		fr, readErr := c.Read()
		if readErr != nil {
			if readErr == frame.ErrTooLarge {
				return proto.Errf(proto.BadRequest, "a frame over 1 MiB")
			}
			return nil // the host went before end: nothing is replaced
		}
		if fr.Kind == frame.End {
			break
		}
		if fr.Kind != frame.Data {
			return proto.Errf(proto.BadRequest, "frame kind %d is not expected in a write: data frames, then end", fr.Kind)
		}
		if _, wErr := f.Write(fr.Payload); wErr != nil {
			return proto.FromOS(wErr, "write "+path)
		}
	}
	if !p.Append {
		if chErr := f.Chmod(fileMode(mode)); chErr != nil {
			return proto.FromOS(chErr, "chmod "+path)
		}
		if rnErr := os.Rename(f.Name(), path); rnErr != nil {
			return proto.FromOS(rnErr, "replace "+path)
		}
		committed = true
	}
	info, statErr := f.Stat()
	if statErr != nil {
		return proto.FromOS(statErr, path)
	}
	c.SendJSON(frame.End, map[string]int64{"size": info.Size()})
	return nil
}
