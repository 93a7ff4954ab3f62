// Package kubeconfigtest makes kubeconfig files for tests and benchmarks:
// fleets of n contexts shaped like the ones k3s writes, with certificate
// data of realistic size. It never touches a real kubeconfig.
package kubeconfigtest
