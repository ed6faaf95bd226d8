package target

import (
	"errors"
	"net"
	"testing"
)

func TestMockIdPBindHost(t *testing.T) {
	bridge := func(addrs ...net.Addr) func(string) ([]net.Addr, error) {
		return func(name string) ([]net.Addr, error) {
			if name != "docker0" {
				t.Errorf("looked up interface %q, want docker0", name)
			}
			return addrs, nil
		}
	}
	cidr := func(s string) net.Addr {
		ip, n, err := net.ParseCIDR(s)
		if err != nil {
			t.Fatal(err)
		}
		n.IP = ip
		return n
	}
	missing := func(string) ([]net.Addr, error) { return nil, errors.New("no such interface") }

	tests := []struct {
		name  string
		kind  string
		addrs func(string) ([]net.Addr, error)
		want  string
	}{
		{"reference", KindReference, missing, "127.0.0.1"},
		{"url", KindURL, missing, "127.0.0.1"},
		{"process", KindProcess, missing, "127.0.0.1"},
		{"container on docker0", KindContainer, bridge(cidr("172.17.0.1/16")), "172.17.0.1"},
		{"container, IPv6 first", KindContainer, bridge(cidr("fe80::42:1/64"), cidr("172.18.0.1/16")), "172.18.0.1"},
		{"container, IPAddr", KindContainer, bridge(&net.IPAddr{IP: net.ParseIP("10.1.2.3")}), "10.1.2.3"},
		{"container, no docker0", KindContainer, missing, "0.0.0.0"},
		{"container, docker0 without IPv4", KindContainer, bridge(cidr("fe80::1/64")), "0.0.0.0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mockIdPBindHost(tt.kind, tt.addrs); got != tt.want {
				t.Errorf("mockIdPBindHost(%q) = %q, want %q", tt.kind, got, tt.want)
			}
		})
	}
}

func TestMockIdPBindHostThisMachine(t *testing.T) {
	if got := MockIdPBindHost(KindProcess); got != "127.0.0.1" {
		t.Errorf("process: %q", got)
	}
	if net.ParseIP(MockIdPBindHost(KindContainer)) == nil {
		t.Errorf("container: %q is not an IP", MockIdPBindHost(KindContainer))
	}
}

func TestMockIdPURL(t *testing.T) {
	if got := MockIdPURL(KindContainer, "4444"); got != "http://host.docker.internal:4444" {
		t.Errorf("container: %q", got)
	}
	if got := MockIdPURL(KindURL, "4444"); got != "http://127.0.0.1:4444" {
		t.Errorf("url: %q", got)
	}
}
