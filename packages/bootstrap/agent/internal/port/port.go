// Package port is the `port` operation: a TCP connection to 127.0.0.1:PORT inside the sandbox, tunnelled as
// data frames both ways.
package port

import (
	"errors"
	"net"
	"strconv"
	"syscall"
	"time"

	"sbx.dev/agent/internal/frame"
	"sbx.dev/agent/internal/proto"
)

// DialTimeout bounds the connect inside the sandbox.
const DialTimeout = 5 * time.Second

// Tunnel dials the port and copies both ways until both directions ended or either side closed.
func Tunnel(c *frame.Conn, port int) *proto.Error {
	conn, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), DialTimeout)
	if err != nil {
		if errors.Is(err, syscall.ECONNREFUSED) {
			return proto.Errf(proto.ConnectionRefused, "nothing listens on 127.0.0.1:%d inside the sandbox", port)
		}
		return proto.Errf(proto.Internal, "connect to 127.0.0.1:%d: %v", port, err)
	}
	tcp := conn.(*net.TCPConn)
	defer tcp.Close()
	if c.SendJSON(frame.OK, struct{}{}) != nil {
		return nil
	}
	done := make(chan struct{}, 2)
	// sandbox -> host
	go func() {
		defer func() { done <- struct{}{} }()
		buf := make([]byte, frame.MaxData)
		for {
			n, err := tcp.Read(buf)
			if n > 0 && c.Send(frame.Data, buf[:n]) != nil {
				c.Close()
				return
			}
			if err != nil {
				c.SendJSON(frame.End, struct{}{})
				return
			}
		}
	}()
	// host -> sandbox: after the host's end it keeps reading, so a host that goes also ends the tunnel.
	go func() {
		halfClosed := false
		for {
			f, err := c.Read()
			if err != nil {
				tcp.Close() // the host went: the whole tunnel ends
				break
			}
			switch {
			case f.Kind == frame.Data && !halfClosed:
				if err := c.WriteWhileAlive(tcp, f.Payload); err != nil {
					c.Close()
					tcp.Close()
				}
			case f.Kind == frame.End && !halfClosed:
				tcp.CloseWrite()
				halfClosed = true
				done <- struct{}{}
			default:
				c.SendJSON(frame.Error, proto.Errf(proto.BadRequest, "frame kind %d is not expected in a port tunnel: data, then end", f.Kind))
				c.Close()
				tcp.Close()
			}
		}
		if !halfClosed {
			done <- struct{}{}
		}
	}()
	<-done
	<-done
	return nil
}
