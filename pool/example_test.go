package pool_test

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/pool"
)

func ExampleGroup() {
	green.Spawn(func() {
		var g pool.Group
		for i := range 3 {
			g.Spawn(func() {
				green.Sleep(time.Duration(i) * time.Millisecond)
				fmt.Println("done", i)
			})
		}
		fmt.Println("members:", g.Len())
		g.Join()
		fmt.Println("members:", g.Len())
	}).Join()
	// Output:
	// members: 3
	// done 0
	// done 1
	// done 2
	// members: 0
}

func ExamplePool() {
	p, _ := pool.NewPool(2)
	green.Spawn(func() {
		a := p.Spawn(func() { green.Sleep(time.Hour) })
		p.Spawn(func() { green.Sleep(time.Hour) })
		fmt.Println("free:", p.Free(), "full:", p.Full())
		_, err := p.TrySpawn(func() {})
		fmt.Println(errors.Is(err, pool.ErrPoolFull))
		a.Kill()
		fmt.Println("free:", p.Free())
		p.Kill()
	}).Join()
	_, err := pool.NewPool(-1)
	fmt.Println(err)
	// Output:
	// free: 0 full: true
	// true
	// free: 1
	// pool: negative pool size
}

func ExampleMap() {
	p, _ := pool.NewPool(10)
	out, err := pool.Map(p, []string{"1", "2", "3", "4"}, strconv.Atoi)
	fmt.Println(out, err)
	_, err = pool.Map(p, []string{"1", "x", "3", "y"}, strconv.Atoi)
	fmt.Println(err) // the lowest-index failure
	// Output:
	// [1 2 3 4] <nil>
	// strconv.Atoi: parsing "x": invalid syntax
}

// slowFirst makes earlier items finish later.
func slowFirst(i int) (int, error) {
	for range 5 - i {
		green.Yield()
	}
	return i * 10, nil
}

func ExampleImap() {
	p, _ := pool.NewPool(5)
	for v, err := range pool.Imap(p, slices.Values([]int{1, 2, 3, 4}), slowFirst) {
		fmt.Println(v, err)
	}
	// Output:
	// 10 <nil>
	// 20 <nil>
	// 30 <nil>
	// 40 <nil>
}

func ExampleImapUnordered() {
	p, _ := pool.NewPool(5)
	for v := range pool.ImapUnordered(p, slices.Values([]int{1, 2, 3, 4}), slowFirst) {
		fmt.Println(v)
	}
	// Output:
	// 40
	// 30
	// 20
	// 10
}

func ExampleApply() {
	p, _ := pool.NewPool(1)
	v, _ := pool.Apply(p, func() (string, error) {
		// Already a member of the full pool: this one runs inline.
		return pool.Apply(p, func() (string, error) { return "nested", nil })
	})
	fmt.Println(v)
	r := pool.ApplyAsync(p, func() (int, error) { return 42, nil })
	fmt.Println(r.Get())
	// Output:
	// nested
	// 42 <nil>
}

func ExampleNursery() {
	err := pool.Nursery(func(s *pool.Scope) error {
		s.Go(func() error {
			defer fmt.Println("slow child cancelled")
			green.Sleep(time.Hour)
			return nil
		})
		s.Go(func() error {
			green.Sleep(time.Millisecond)
			return errors.New("fast child failed")
		})
		return nil
	})
	fmt.Println(err)
	// Output:
	// slow child cancelled
	// fast child failed
}
