package oracle

import (
	"net/http"
	"testing"
)

func get(t *testing.T, u string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}

// TestRowAttribution: a request under a row's path is that row's, wherever
// in the run it arrives. The row running now takes only its own hits and
// strays; another row's late hit stays for the run's end.
func TestRowAttribution(t *testing.T) {
	o, err := StartAttacker(Options{Loopback: true})
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	if o.Issued() {
		t.Error("Issued before any row URL was handed out")
	}
	late := o.URL(o.RowPath("B-KEY-02", "grant") + "jwks.json")
	mine := o.URL(o.RowPath("B-KEY-03.1", "client") + "cert.pem")
	if !o.Issued() {
		t.Error("not Issued after RowPath")
	}
	get(t, late)
	get(t, mine)
	get(t, o.URL("/stray"))
	got := o.TakeRow("B-KEY-03.1", "client")
	if len(got) != 2 || got[0].Key() != "B-KEY-03.1" || got[1].Key() != "" {
		t.Fatalf("TakeRow = %+v, want the row's hit and the stray", got)
	}
	rest := o.Take()
	if len(rest) != 1 || rest[0].Key() != "B-KEY-02/grant" || rest[0].Path != "/row/B-KEY-02/grant/jwks.json" {
		t.Fatalf("left for the run's end: %+v, want B-KEY-02/grant's late hit", rest)
	}
}

// TestURLHost: the URL names the host the target reaches the listener
// by (host.docker.internal for a container), not the bind address.
func TestURLHost(t *testing.T) {
	o, err := StartAttacker(Options{Listen: "127.0.0.1:0", Host: "host.docker.internal"})
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	if got, want := o.URL("/x"), "http://host.docker.internal:"+o.Port()+"/x"; got != want {
		t.Errorf("URL = %s, want %s", got, want)
	}
	if o.Loopback() {
		t.Error("Loopback without being told")
	}
}
