package frame

import (
	"bytes"
	"encoding/binary"
	"io"
	"math/rand"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	payloads := [][]byte{nil, []byte("x"), bytes.Repeat([]byte{7}, MaxPayload)}
	for i, p := range payloads {
		buf.Write(Append(nil, Kind(i+1), p))
	}
	for i, p := range payloads {
		f, err := Read(&buf)
		if err != nil || f.Kind != Kind(i+1) || !bytes.Equal(f.Payload, p) {
			t.Fatalf("frame %d: %v kind %d len %d", i, err, f.Kind, len(f.Payload))
		}
	}
	if _, err := Read(&buf); err != io.EOF {
		t.Fatalf("after the last frame: %v", err)
	}
}

// Any length over 1 MiB is refused from the header alone; a cut frame is an unexpected EOF.
func TestBounds(t *testing.T) {
	for _, n := range []uint32{MaxPayload + 1, 1 << 31, ^uint32(0)} {
		var header [5]byte
		binary.BigEndian.PutUint32(header[1:], n)
		if _, err := Read(bytes.NewReader(header[:])); err != ErrTooLarge {
			t.Fatalf("length %d: %v", n, err)
		}
	}
	cut := Append(nil, Data, []byte("hello"))[:7]
	if _, err := Read(bytes.NewReader(cut)); err != io.ErrUnexpectedEOF {
		t.Fatalf("cut frame: %v", err)
	}
	if _, err := Read(bytes.NewReader([]byte{1, 0})); err != io.ErrUnexpectedEOF {
		t.Fatalf("cut header: %v", err)
	}
}

// Random bytes decode to frames or errors, never a panic or a payload over the bound.
func TestRandomBytes(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 10000; i++ {
		junk := make([]byte, rng.Intn(64))
		rng.Read(junk)
		r := bytes.NewReader(junk)
		for {
			f, err := Read(r)
			if err != nil {
				break
			}
			if len(f.Payload) > MaxPayload {
				t.Fatalf("payload of %d", len(f.Payload))
			}
		}
	}
}
