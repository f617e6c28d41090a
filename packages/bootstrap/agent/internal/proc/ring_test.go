package proc

import (
	"bytes"
	"math/rand"
	"testing"
)

// The ring agrees with a plain slice that keeps everything, for random writes and reads.
func TestRingMatchesModel(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for round := 0; round < 200; round++ {
		limit := 1 + rng.Intn(64)
		ring := NewRing(limit)
		var all []byte
		for step := 0; step < 50; step++ {
			chunk := make([]byte, rng.Intn(2*limit+2))
			rng.Read(chunk)
			ring.Write(chunk)
			all = append(all, chunk...)
			if len(ring.buf) > limit {
				t.Fatalf("ring holds %d bytes over its limit %d", len(ring.buf), limit)
			}
			off := int64(rng.Intn(len(all) + 1))
			max := rng.Intn(limit + 3)
			got, at := ring.Read(off, max)
			start := int64(len(all)) - int64(len(ring.buf))
			wantAt := off
			if wantAt < start {
				wantAt = start
			}
			end := wantAt + int64(max)
			if end > int64(len(all)) {
				end = int64(len(all))
			}
			want := all[wantAt:end]
			if at != wantAt || !bytes.Equal(got, want) {
				t.Fatalf("limit %d read(%d,%d): got %d@%d want %d@%d", limit, off, max, len(got), at, len(want), wantAt)
			}
		}
		if ring.Total() != int64(len(all)) {
			t.Fatalf("total %d, wrote %d", ring.Total(), len(all))
		}
	}
}
