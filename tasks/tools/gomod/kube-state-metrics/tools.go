//go:build tools

// Package tools pins kube-state-metrics so that `go build` compiles it at the version named in
// versions.json (`go install M@V` is refused here: the proxy does not list its versions).
package tools

import _ "k8s.io/kube-state-metrics/v2"
