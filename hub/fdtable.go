package hub

// fdTable maps the descriptor numbers of a hub's registrations to them: a
// slice indexed by the number, which the kernel keeps small and dense
// (the lowest free number is reused first), so the poller's lookup per
// event is an index, not a hash, and a registration costs one pointer of
// the table (a map cost about 50 bytes an entry at 10,000 connections).
// It grows to the highest number registered; hub-only.
type fdTable struct {
	s []*FD
	n int // registrations
}

// get returns the registration of fd, or nil.
func (t *fdTable) get(fd int) *FD {
	if uint(fd) < uint(len(t.s)) {
		return t.s[fd]
	}
	return nil
}

// set registers d under fd (0 <= fd < 1<<31) and returns the registration
// it replaces, or nil.
func (t *fdTable) set(fd int, d *FD) *FD {
	if fd >= len(t.s) {
		t.s = append(t.s, make([]*FD, fd+1-len(t.s))...)
		t.s = t.s[:cap(t.s)]
	}
	old := t.s[fd]
	t.s[fd] = d
	if old == nil {
		t.n++
	}
	return old
}

// remove drops d if it is still the registration of its number.
func (t *fdTable) remove(d *FD) {
	if t.get(d.fd) == d {
		t.s[d.fd] = nil
		t.n--
	}
}

// all returns the registrations (a copy: callers cancel waiters, whose
// wake-ups may register or close descriptors).
func (t *fdTable) all() []*FD {
	out := make([]*FD, 0, t.n)
	for _, d := range t.s {
		if d != nil {
			out = append(out, d)
		}
	}
	return out
}
