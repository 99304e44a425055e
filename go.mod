module github.com/greenrt/green

go 1.26.0

require (
	github.com/sourcegraph/conc v0.3.0
	golang.org/x/sys v0.49.0
)

require golang.org/x/net v0.62.0
