// Package frame is the sbx-agent wire codec: kind (u8) + length (u32 big-endian) + payload, bounded.
package frame

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
)

// Kind is a frame's type byte (PROTOCOL.md, "Frames").
type Kind uint8

// The frame kinds of protocol v1.
const (
	Open     Kind = 1
	OK       Kind = 2
	Stdout   Kind = 3
	Stderr   Kind = 4
	Stdin    Kind = 5
	StdinEOF Kind = 6
	Data     Kind = 7
	Event    Kind = 8
	Control  Kind = 9
	End      Kind = 10
	Error    Kind = 11
)

// MaxPayload bounds every frame's payload (1 MiB); MaxJSON bounds JSON payloads (64 KiB); MaxData bounds the
// data frames the agent sends (64 KiB).
const (
	MaxPayload = 1 << 20
	MaxJSON    = 64 << 10
	MaxData    = 64 << 10
)

// ErrGone is returned by WriteWhileAlive when the host closed the connection.
var ErrGone = errors.New("the host closed the connection")

// ErrTooLarge is returned by Read for a frame whose declared length is over MaxPayload.
var ErrTooLarge = errors.New("frame payload over 1 MiB")

// Frame is one decoded frame.
type Frame struct {
	Kind    Kind
	Payload []byte
}

// Read reads one frame; the payload is never allocated beyond MaxPayload.
func Read(r io.Reader) (Frame, error) {
	var header [5]byte
	if _, err := io.ReadFull(r, header[:]); err != nil {
		return Frame{}, err
	}
	n := binary.BigEndian.Uint32(header[1:])
	if n > MaxPayload {
		return Frame{}, ErrTooLarge
	}
	payload := make([]byte, n)
	if _, err := io.ReadFull(r, payload); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return Frame{}, err
	}
	return Frame{Kind: Kind(header[0]), Payload: payload}, nil
}

// Append encodes one frame after dst.
func Append(dst []byte, kind Kind, payload []byte) []byte {
	var header [5]byte
	header[0] = byte(kind)
	binary.BigEndian.PutUint32(header[1:], uint32(len(payload)))
	return append(append(dst, header[:]...), payload...)
}

// Conn is one connection: frames in through a buffered reader, frames out under a lock (whole frames only).
type Conn struct {
	raw net.Conn
	in  *bufio.Reader
	mu  sync.Mutex
}

// NewConn wraps a connection.
func NewConn(raw net.Conn) *Conn {
	return &Conn{raw: raw, in: bufio.NewReaderSize(raw, 64<<10)}
}

// Raw is the underlying connection (deadlines, close).
func (c *Conn) Raw() net.Conn { return c.raw }

// Read reads the next frame from the host.
func (c *Conn) Read() (Frame, error) { return Read(c.in) }

// Send writes one frame; payloads over MaxPayload are refused.
func (c *Conn) Send(kind Kind, payload []byte) error {
	if len(payload) > MaxPayload {
		return ErrTooLarge
	}
	buf := Append(make([]byte, 0, 5+len(payload)), kind, payload)
	c.mu.Lock()
	defer c.mu.Unlock()
	_, err := c.raw.Write(buf)
	return err
}

// SendFrames writes frames already encoded with Append in one write (each payload bounded by its caller).
func (c *Conn) SendFrames(frames []byte) error {
	if len(frames) == 0 {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	_, err := c.raw.Write(frames)
	return err
}

// SendJSON writes one frame whose payload is v as JSON.
func (c *Conn) SendJSON(kind Kind, v interface{}) error {
	payload, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %T: %w", v, err)
	}
	return c.Send(kind, payload)
}

// Close closes the connection.
func (c *Conn) Close() error { return c.raw.Close() }
