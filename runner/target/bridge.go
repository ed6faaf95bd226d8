package target

import (
	"net"
	"net/netip"
)

// Kind names, as in the config's target.kind.
const (
	KindReference = "reference"
	KindURL       = "url"
	KindProcess   = "process"
	KindContainer = "container"
)

// dockerBridge is the interface Docker's default bridge network uses; its
// address is what "host-gateway" resolves to inside a container.
const dockerBridge = "docker0"

// anyHost is the fallback bind address when no bridge is found.
const anyHost = "0.0.0.0"

// MockIdPBindHost returns the host the mock IdP must listen on for a target
// of the given kind.
//
// For reference, url and process targets it is "127.0.0.1": the target runs
// on this host. A container cannot reach the host's loopback, so for
// container targets it is the IPv4 address of the docker0 bridge, which is
// what host.docker.internal (mapped to host-gateway) resolves to inside the
// container. When there is no docker0 (a remote engine, a renamed bridge,
// rootless Docker) it falls back to "0.0.0.0", which exposes the mock IdP on
// every interface; the runner prints a note when it sees that value.
func MockIdPBindHost(kind string) string {
	return mockIdPBindHost(kind, interfaceAddrs)
}

func mockIdPBindHost(kind string, addrs func(name string) ([]net.Addr, error)) string {
	if kind != KindContainer {
		return "127.0.0.1"
	}
	list, err := addrs(dockerBridge)
	if err != nil {
		return anyHost
	}
	for _, a := range list {
		var ip netip.Addr
		switch a := a.(type) {
		case *net.IPNet:
			ip, _ = netip.AddrFromSlice(a.IP)
		case *net.IPAddr:
			ip, _ = netip.AddrFromSlice(a.IP)
		}
		if ip = ip.Unmap(); ip.Is4() && !ip.IsUnspecified() {
			return ip.String()
		}
	}
	return anyHost
}

// interfaceAddrs lists the addresses of the interface with the given name.
func interfaceAddrs(name string) ([]net.Addr, error) {
	ifaces, err := net.Interfaces()
	if err != nil {
		return nil, err
	}
	for _, i := range ifaces {
		if i.Name == name {
			return i.Addrs()
		}
	}
	return nil, &net.OpError{Op: "find", Net: "interface", Err: net.UnknownNetworkError(name)}
}

// MockIdPURL returns the base URL under which a target of the given kind
// reaches a mock IdP listening on port: http://host.docker.internal:<port>
// for containers, http://127.0.0.1:<port> otherwise.
func MockIdPURL(kind, port string) string {
	host := "127.0.0.1"
	if kind == KindContainer {
		host = HostGatewayAlias
	}
	return "http://" + net.JoinHostPort(host, port)
}
