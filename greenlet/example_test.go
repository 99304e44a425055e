package greenlet_test

import (
	"fmt"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/greenlet"
)

// greenlet's documentation example: test1 prints 12 and switches to
// test2, which prints 56 and switches back; test1 prints 34 and ends, so
// the main greenlet resumes. test2 is left suspended (78 never prints)
// and is killed when the main greenlet ends.
func Example() {
	green.Main(func() {
		var gr1, gr2 *greenlet.Greenlet
		gr1 = greenlet.New(func(any) any {
			fmt.Println(12)
			gr2.Switch(nil)
			fmt.Println(34)
			return nil
		})
		gr2 = greenlet.New(func(any) any {
			fmt.Println(56)
			gr1.Switch(nil)
			fmt.Println(78)
			return nil
		})
		gr1.Switch(nil)
		fmt.Println("gr1 dead:", gr1.Dead(), "gr2 dead:", gr2.Dead())
	})
	// Output:
	// 12
	// 56
	// 34
	// gr1 dead: true gr2 dead: false
}

// Values travel with the switches: a consumer asks a producer for the
// next value, the producer hands it over, and the last return value goes
// to the parent.
func ExampleGreenlet_Switch() {
	green.Main(func() {
		main := greenlet.Current()
		producer := greenlet.New(func(v any) any {
			for i := range v.(int) {
				main.Switch(i * i) // hand a value to the main greenlet
			}
			return "done"
		})
		fmt.Println(producer.Switch(3)) // starts it with 3
		fmt.Println(producer.Switch(nil))
		fmt.Println(producer.Switch(nil))
		fmt.Println(producer.Switch(nil)) // it returns: its parent gets the result
		fmt.Println(producer.Dead(), producer.Parent() == main)
	})
	// Output:
	// 0
	// 1
	// 4
	// done
	// true true
}

// Throw raises an error at the target's pending Switch.
func ExampleGreenlet_Throw() {
	green.Main(func() {
		g := greenlet.New(func(any) any {
			defer func() { fmt.Println("recovered:", recover()) }()
			greenlet.Current().Parent().Switch("ready")
			fmt.Println("never printed")
			return nil
		})
		fmt.Println(g.Switch(nil))
		fmt.Println(g.Throw(fmt.Errorf("stop")), g.Dead())
	})
	// Output:
	// ready
	// recovered: stop
	// <nil> true
}
