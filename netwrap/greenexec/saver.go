//go:build unix

package greenexec

import "strconv"

// saver keeps the first and the last n bytes written to it: what Output
// puts in ExitError.Stderr when it captured standard error itself (as
// os/exec does, 32 KiB each way).
type saver struct {
	n      int
	prefix []byte
	ring   []byte // the last bytes, a ring once full
	off    int    // where the ring's oldest byte is, once full
	total  int64
}

func (s *saver) Write(p []byte) (int, error) {
	s.total += int64(len(p))
	q := p
	if room := s.n - len(s.prefix); room > 0 {
		k := min(room, len(q))
		s.prefix = append(s.prefix, q[:k]...)
		q = q[k:]
	}
	if len(q) > s.n {
		q = q[len(q)-s.n:]
	}
	for len(q) > 0 {
		if len(s.ring) < s.n {
			k := min(s.n-len(s.ring), len(q))
			s.ring = append(s.ring, q[:k]...)
			q = q[k:]
			continue
		}
		k := copy(s.ring[s.off:], q)
		q = q[k:]
		s.off = (s.off + k) % s.n
	}
	return len(p), nil
}

// Bytes returns the saved bytes, with a note of how many were dropped in
// between.
func (s *saver) Bytes() []byte {
	tail := append(append([]byte(nil), s.ring[s.off:]...), s.ring[:s.off]...)
	out := append([]byte(nil), s.prefix...)
	if skipped := s.total - int64(len(s.prefix)) - int64(len(tail)); skipped > 0 {
		out = append(out, "\n... omitting "+strconv.FormatInt(skipped, 10)+" bytes ...\n"...)
	}
	return append(out, tail...)
}
