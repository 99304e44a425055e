// The peers of greenhttp's HTTP comparison (http-compare.sh): a module of
// its own, so that fasthttp is no dependency of the green module.
module greenhttp-bench-peers

go 1.26.0

require github.com/valyala/fasthttp v1.78.0

require (
	github.com/klauspost/compress v1.20.3 // indirect
	github.com/molecule-man/go-brrr v1.3.1 // indirect
	github.com/valyala/bytebufferpool v1.0.0 // indirect
)
