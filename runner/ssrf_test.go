package runner

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/mockidp/oracle"
	v1 "github.com/assayhq/assay/reports/v1"
	"github.com/assayhq/assay/runner/config"
)

// TestChargeLateHits: a hit that arrives after its row ended is charged to
// the row whose URL it carries, on the right carrier; a hit no row claims
// is returned, never charged to a bystander.
func TestChargeLateHits(t *testing.T) {
	r := v1.Report{Results: []v1.Result{
		{ID: "B-KEY-02", Carrier: "client", Level: "MUST", Outcome: v1.Pass},
		{ID: "B-KEY-02", Carrier: "grant", Level: "MUST", Outcome: v1.Pass},
		{ID: "B-KEY-03.1", Carrier: "client", Level: "MUST", Outcome: v1.Fail, Reason: "accepted"},
		{ID: "B-KEY-03.2", Carrier: "client", Level: "MUST", Outcome: v1.NA, Reason: "a container"},
		{ID: "A-CA-01", Carrier: "client", Level: "SHOULD", Outcome: v1.Pass},
	}}
	hits := []oracle.Hit{
		{Method: "GET", Path: "/row/B-KEY-02/grant/jwks.json", Row: "B-KEY-02", Carrier: "grant"},
		{Method: "GET", Path: "/row/B-KEY-03.1/client/cert.pem", Row: "B-KEY-03.1", Carrier: "client"},
		{Method: "GET", Path: "/row/B-KEY-03.2/client/internal/jwks", Row: "B-KEY-03.2", Carrier: "client"},
		{Method: "GET", Path: "/favicon.ico"},
	}
	rest := chargeLateHits(&r, hits)
	want := []v1.Outcome{v1.Pass, v1.Fail, v1.Fail, v1.NA, v1.Pass}
	for i, w := range want {
		if got := r.Results[i]; got.Outcome != w {
			t.Errorf("%s/%s: %s (%s), want %s", got.ID, got.Carrier, got.Outcome, got.Reason, w)
		}
	}
	if g := r.Results[1].Reason; !strings.Contains(g, "after the row ended") || !strings.Contains(g, "/row/B-KEY-02/grant/jwks.json") {
		t.Errorf("grant row reason %q", g)
	}
	if g := r.Results[2].Reason; !strings.HasPrefix(g, "accepted; after the row ended") {
		t.Errorf("a FAIL keeps its reason and gains the finding: %q", g)
	}
	if len(rest) != 2 || rest[0].Row != "B-KEY-03.2" || rest[1].Path != "/favicon.ico" {
		t.Errorf("unclaimed = %+v, want the N/A row's and the stray", rest)
	}
}

// TestCollectLateHitsWaits: the grace wait happens only when a row URL
// was handed out, and unclaimed hits are printed.
func TestCollectLateHitsWaits(t *testing.T) {
	o, err := oracle.StartAttacker(oracle.Options{Loopback: true})
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	var waited time.Duration
	sleep := func(d time.Duration) { waited += d }
	var out bytes.Buffer
	collectLateHits(&v1.Report{}, o, sleep, &out)
	if waited != 0 {
		t.Errorf("waited %s with no row URL handed out", waited)
	}
	_ = o.RowPath("B-KEY-02", "client")
	collectLateHits(&v1.Report{}, o, sleep, &out)
	if waited != lateHitGrace {
		t.Errorf("waited %s, want %s", waited, lateHitGrace)
	}
}

// TestOracleOptions: the oracle listens where the target reaches the mock
// IdP; only a target on this host's loopback gets the loopback rows.
func TestOracleOptions(t *testing.T) {
	for _, tc := range []struct {
		name     string
		cfg      func(c *config.Config)
		host     string
		loopback bool
	}{
		{"process", func(c *config.Config) { c.Target.Kind = config.KindProcess }, "127.0.0.1", true},
		{"container", func(c *config.Config) { c.Target.Kind = config.KindContainer; c.MockIdP.Listen = "" }, "host.docker.internal", false},
		{"public URL", func(c *config.Config) {
			c.Target.Kind = config.KindURL
			c.MockIdP.Listen = "0.0.0.0:0"
			c.MockIdP.PublicURL = "http://assay-host.lan:9000"
		}, "assay-host.lan", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := config.Default()
			tc.cfg(&c)
			o := oracleOptions(c)
			if o.Host != tc.host || o.Loopback != tc.loopback {
				t.Errorf("oracleOptions = %+v, want host %s, loopback %t", o, tc.host, tc.loopback)
			}
		})
	}
}
