//go:build tools

// Package tools pins the Prometheus module so that `go build` can compile
// prometheus and promtool at the version named in versions.json.
package tools

import (
	_ "github.com/prometheus/prometheus/cmd/prometheus"
	_ "github.com/prometheus/prometheus/cmd/promtool"
)
