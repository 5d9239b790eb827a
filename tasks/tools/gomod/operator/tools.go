//go:build tools

// Package tools pins prometheus-operator so that one `go build` compiles the operator and its
// config reloader at the version named in versions.json.
package tools

import (
	_ "github.com/prometheus-operator/prometheus-operator/cmd/operator"
	_ "github.com/prometheus-operator/prometheus-operator/cmd/prometheus-config-reloader"
)
