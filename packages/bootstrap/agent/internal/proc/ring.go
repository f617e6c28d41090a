// Package proc runs processes for the agent: pipes or a PTY, a process table with caps, kept output rings,
// one reaper that owns every wait, and the run/attach/ps/signal/stdin/resize operations.
package proc

// Ring keeps the last `limit` bytes of a stream; offsets count every byte ever written.
type Ring struct {
	limit int
	buf   []byte
	head  int // physical index of the oldest byte (0 until the ring is full)
	total int64
}

// NewRing makes a ring that keeps at most limit bytes; memory grows with what is written, up to limit.
func NewRing(limit int) *Ring { return &Ring{limit: limit} }

// Total is the number of bytes ever written.
func (r *Ring) Total() int64 { return r.total }

// Start is the offset of the oldest byte still kept.
func (r *Ring) Start() int64 { return r.total - int64(len(r.buf)) }

// Write appends p, dropping the oldest bytes beyond the limit.
func (r *Ring) Write(p []byte) {
	r.total += int64(len(p))
	if len(p) >= r.limit {
		r.buf = append(r.buf[:0], p[len(p)-r.limit:]...)
		r.head = 0
		return
	}
	if room := r.limit - len(r.buf); room > 0 {
		if len(p) <= room {
			r.buf = append(r.buf, p...)
			return
		}
		r.buf = append(r.buf, p[:room]...)
		p = p[room:]
	}
	for len(p) > 0 {
		n := copy(r.buf[r.head:], p)
		p = p[n:]
		r.head = (r.head + n) % r.limit
	}
}

// Read copies up to max bytes from offset off (moved up to Start when those bytes were dropped); it returns the
// bytes and the offset they start at.
func (r *Ring) Read(off int64, max int) ([]byte, int64) {
	if start := r.Start(); off < start {
		off = start
	}
	avail := r.total - off
	if avail <= 0 || max <= 0 {
		return nil, off
	}
	n := max
	if avail < int64(n) {
		n = int(avail)
	}
	out := make([]byte, n)
	phys := (r.head + int(off-r.Start())) % len(r.buf)
	c := copy(out, r.buf[phys:])
	copy(out[c:], r.buf)
	return out, off
}
