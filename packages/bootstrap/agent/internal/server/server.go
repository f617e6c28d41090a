// Package server accepts connections on the agent's socket, reads each one's `open` and dispatches it.
package server

import (
	"errors"
	"net"
	"os"
	"sort"
	"time"

	"sbx.dev/agent/internal/files"
	"sbx.dev/agent/internal/frame"
	"sbx.dev/agent/internal/port"
	"sbx.dev/agent/internal/proc"
	"sbx.dev/agent/internal/proto"
	"sbx.dev/agent/internal/watch"
)

// Name is the agent's name and version, as `hello` reports it.
const Name = "sbx-agent/0.1.0"

// MaxConns bounds the connections served at once; more are closed at accept.
const MaxConns = 1024

// OpenTimeout bounds the wait for a connection's `open` frame.
const OpenTimeout = 10 * time.Second

// Server dispatches operations to the process table and the file, watch and port operations.
type Server struct {
	Procs *proc.Table
	ops   map[string]func(c *frame.Conn, payload []byte) *proto.Error
	slots chan struct{}
	// Limits, set before Serve (tests use small ones).
	openTimeout  time.Duration
	maxWatchDirs int
}

// New makes a server over a process table.
func New(procs *proc.Table) *Server {
	s := &Server{Procs: procs, slots: make(chan struct{}, MaxConns), openTimeout: OpenTimeout, maxWatchDirs: watch.MaxDirs}
	file := func(allowed []string, h files.Handler) func(*frame.Conn, []byte) *proto.Error {
		return func(c *frame.Conn, payload []byte) *proto.Error { return files.Serve(c, payload, allowed, h) }
	}
	s.ops = map[string]func(*frame.Conn, []byte) *proto.Error{
		"hello":  s.hello,
		"run":    procs.Run,
		"attach": procs.Attach,
		"ps":     procs.Ps,
		"signal": procs.Signal,
		"stdin":  procs.Stdin,
		"resize": procs.Resize,
		"stat":   file([]string{"path"}, files.DoStat),
		"list":   file([]string{"path", "depth", "maxEntries"}, files.DoList),
		"mkdir":  file([]string{"path", "mode"}, files.DoMkdir),
		"move":   file([]string{"from", "to"}, files.DoMove),
		"remove": file([]string{"path"}, files.DoRemove),
		"read":   file([]string{"path", "offset", "length"}, files.DoRead),
		"write":  file([]string{"path", "mode", "append"}, files.DoWrite),
		"watch":  file([]string{"path", "recursive"}, s.watch),
		"port":   s.port,
	}
	return s
}

// acceptRetry is the pause after a failed accept (e.g. EMFILE) before the next.
const acceptRetry = 50 * time.Millisecond

// Serve accepts connections until the listener closes; beyond MaxConns at once a connection is closed at once.
func (s *Server) Serve(l net.Listener) error {
	for {
		conn, err := l.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return err
			}
			// EMFILE and the like: the sandbox ran out of something; the agent waits and serves again.
			time.Sleep(acceptRetry)
			continue
		}
		select {
		case s.slots <- struct{}{}:
			go func() {
				defer func() { <-s.slots }()
				s.Handle(conn)
			}()
		default:
			conn.Close()
		}
	}
}

// Handle runs one connection's operation and closes it.
func (s *Server) Handle(raw net.Conn) {
	c := frame.NewConn(raw)
	defer c.Close()
	raw.SetReadDeadline(time.Now().Add(s.openTimeout))
	f, err := c.Read()
	if err != nil {
		if err == frame.ErrTooLarge {
			c.SendJSON(frame.Error, proto.Errf(proto.BadRequest, "a frame over 1 MiB"))
		}
		return
	}
	raw.SetReadDeadline(time.Time{})
	if perr := s.dispatch(c, f); perr != nil {
		c.SendJSON(frame.Error, perr)
	}
}

func (s *Server) dispatch(c *frame.Conn, f frame.Frame) *proto.Error {
	if f.Kind != frame.Open {
		return proto.Errf(proto.BadRequest, "the first frame must be open (kind 1): got kind %d", f.Kind)
	}
	if len(f.Payload) > frame.MaxJSON {
		return proto.Errf(proto.BadRequest, "the open payload is %d bytes: at most 65536", len(f.Payload))
	}
	var header struct {
		V  *int   `json:"v"`
		Op string `json:"op"`
	}
	if err := decodeLoose(f.Payload, &header); err != nil {
		return err
	}
	if header.V == nil || *header.V != proto.Version {
		return proto.Errf(proto.UnsupportedVersion, "this agent speaks protocol v1: the open must say \"v\":1")
	}
	op, ok := s.ops[header.Op]
	if !ok {
		return proto.Errf(proto.UnknownOp, "unknown op %q: this agent knows %v", cut(header.Op), s.opNames())
	}
	return op(c, f.Payload)
}

func (s *Server) opNames() []string {
	names := make([]string, 0, len(s.ops))
	for name := range s.ops {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

func (s *Server) hello(c *frame.Conn, payload []byte) *proto.Error {
	var params proto.Header
	if err := proto.Decode(payload, &params); err != nil {
		return err
	}
	c.SendJSON(frame.End, map[string]interface{}{
		"v": proto.Version, "agent": Name, "ops": s.opNames(), "pid": os.Getpid(), "uid": os.Geteuid(),
	})
	return nil
}

func (s *Server) port(c *frame.Conn, payload []byte) *proto.Error {
	var params struct {
		proto.Header
		Port *int64 `json:"port"`
	}
	if err := proto.Decode(payload, &params); err != nil {
		return err
	}
	if params.Port == nil {
		return proto.Errf(proto.BadRequest, "port is required: 1 to 65535")
	}
	n, err := proto.Range("port", params.Port, 1, 65535, 0)
	if err != nil {
		return err
	}
	return port.Tunnel(c, int(n))
}

func (s *Server) watch(c *frame.Conn, p *files.Params) *proto.Error {
	if err := proto.Path("path", p.Path); err != nil {
		return err
	}
	return watch.Run(c, p.Path, p.Recursive, s.maxWatchDirs)
}

func cut(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}
