//go:build tools

// Package tools pins k8s.io/kubernetes so that one `go build` compiles the control plane,
// kube-proxy and kubectl at the version named in versions.json, sharing their packages.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-proxy"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
