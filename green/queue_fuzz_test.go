package green

import (
	"errors"
	"slices"
	"testing"
)

// FuzzQueueEngine drives the queue engine of every kind (FIFO, LIFO,
// priority; bounded or not) with the operations that do not wait, taken
// from the input, and checks each answer against a slice model: the item
// a get or a peek returns, Len, Full, the unfinished count and TaskDone's
// error, and what Shutdown and ShutdownImmediate change.
func FuzzQueueEngine(f *testing.F) {
	f.Add(uint8(0), uint8(0), []byte{0, 1, 0, 2, 1, 0, 2, 0, 3, 0, 1, 0, 4, 0})
	f.Add(uint8(1), uint8(2), []byte{0, 5, 0, 6, 0, 7, 1, 0, 3, 0, 5, 0, 1, 0})
	f.Add(uint8(2), uint8(3), []byte{0, 9, 0, 1, 0, 5, 2, 0, 1, 0, 1, 0, 6, 0})
	h := primNewHub(f)
	f.Fuzz(func(t *testing.T, kind, bound uint8, ops []byte) {
		primRun(t, h, func() { fuzzQueue(t, kind%3, int(bound%5), ops) })
	})
}

// fuzzQueueAPI is the part of the queue API the fuzz target drives.
type fuzzQueueAPI interface {
	PutNowait(int) error
	GetNowait() (int, error)
	PeekNowait() (int, error)
	Len() int
	Full() bool
	TaskDone() error
	Unfinished() int
	Shutdown() error
	ShutdownImmediate() error
}

func fuzzQueue(t *testing.T, kind uint8, bound int, ops []byte) {
	var q fuzzQueueAPI
	switch kind {
	case 0:
		q = NewQueue[int](bound)
	case 1:
		q = NewLifoQueue[int](bound)
	default:
		q = NewOrderedPriorityQueue[int](bound)
	}
	var model []int // FIFO order of arrival
	unfinished, closed := 0, false
	front := func() int { // index in model of the item a get takes
		switch kind {
		case 0:
			return 0
		case 1:
			return len(model) - 1
		}
		return slices.Index(model, slices.Min(model))
	}
	for i := 0; i+1 < len(ops); i += 2 {
		op, v := ops[i]%7, int(ops[i+1])
		switch op {
		case 0:
			err := q.PutNowait(v)
			switch {
			case closed:
				if !errors.Is(err, ErrQueueShutDown) {
					t.Fatalf("put after shutdown: %v", err)
				}
			case bound > 0 && len(model) >= bound:
				if !errors.Is(err, ErrQueueFull) {
					t.Fatalf("put on a full queue: %v", err)
				}
			default:
				if err != nil {
					t.Fatalf("put: %v", err)
				}
				model = append(model, v)
				unfinished++
			}
		case 1, 2:
			var got int
			var err error
			if op == 1 {
				got, err = q.GetNowait()
			} else {
				got, err = q.PeekNowait()
			}
			switch {
			case len(model) > 0:
				j := front()
				if err != nil || got != model[j] {
					t.Fatalf("op %d: got %d, %v; want %d", op, got, err, model[j])
				}
				if op == 1 {
					model = slices.Delete(model, j, j+1)
				}
			case closed:
				if !errors.Is(err, ErrQueueShutDown) {
					t.Fatalf("op %d on an empty shut-down queue: %v", op, err)
				}
			default:
				if !errors.Is(err, ErrQueueEmpty) {
					t.Fatalf("op %d on an empty queue: %v", op, err)
				}
			}
		case 3:
			err := q.TaskDone()
			if unfinished == 0 {
				if !errors.Is(err, ErrTaskDone) {
					t.Fatalf("extra TaskDone: %v", err)
				}
			} else {
				if err != nil {
					t.Fatalf("TaskDone: %v", err)
				}
				unfinished--
			}
		case 4:
			if q.Len() != len(model) || q.Unfinished() != unfinished ||
				q.Full() != (bound > 0 && len(model) >= bound) {
				t.Fatalf("Len %d Unfinished %d Full %v; model %d %d bound %d",
					q.Len(), q.Unfinished(), q.Full(), len(model), unfinished, bound)
			}
		case 5:
			if v%8 == 0 { // rarely: the queue stays usable most of the run
				q.Shutdown()
				closed = true
			}
		case 6:
			if v%8 == 0 {
				q.ShutdownImmediate()
				unfinished = max(unfinished-len(model), 0)
				model, closed = nil, true
			}
		}
	}
}
