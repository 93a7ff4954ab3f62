package cluster

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"syscall"
	"testing"
)

func TestNotReadyNamesFailedChecks(t *testing.T) {
	body := []byte("[+]ping ok\n[+]log ok\n[-]etcd failed: reason withheld\n[+]poststarthook/start-apiextensions-informers ok\n[-]informer-sync failed: reason withheld\nreadyz check failed\n")
	if got, want := notReady(body), "not ready: etcd, informer-sync"; got != want {
		t.Errorf("notReady = %q, want %q", got, want)
	}
	if got := notReady([]byte("oops")); got != "not ready" {
		t.Errorf("notReady(no checks) = %q, want %q", got, "not ready")
	}
}

func TestClassify(t *testing.T) {
	wrap := func(err error) error { return &url.Error{Op: "Get", URL: "https://bus-17:6443/readyz", Err: err} }
	tests := []struct {
		err  error
		want string
	}{
		{wrap(&net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}), "refused"},
		{wrap(context.DeadlineExceeded), "timeout"},
		{wrap(context.Canceled), "cancelled"},
		{wrap(&net.OpError{Op: "read", Err: syscall.ECONNRESET}), "reset"},
		{wrap(&net.OpError{Op: "dial", Err: syscall.EHOSTUNREACH}), "unreachable"},
		{wrap(&net.DNSError{Err: "no such host", Name: "bus-17.fog", IsNotFound: true}), "dns: no such host bus-17.fog"},
		{wrap(errors.New("something else")), "something else"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.err), func(t *testing.T) {
			if got := classify(context.Background(), tt.err); got != tt.want {
				t.Errorf("classify = %q, want %q", got, tt.want)
			}
		})
	}
}
