//go:build tools

// Package tools pins the Thanos module so that `go build` can compile the
// thanos binary at the version named in versions.json.
package tools

import _ "github.com/thanos-io/thanos/cmd/thanos"
