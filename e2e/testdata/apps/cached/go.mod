module example.com/cached

go 1.24

require github.com/nextgo-dev/nextgo v0.1.0
