//go:build tools

// Package tools pins the etcd server module so that `go build` can compile etcd at the
// version named in versions.json (its go.mod replaces sibling modules by relative paths).
package tools

import _ "go.etcd.io/etcd/server/v3"
