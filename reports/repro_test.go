package reports

import (
	"context"
	"os/exec"
	"testing"
	"time"

	v1 "github.com/assayhq/assay/reports/v1"
)

func TestCurl(t *testing.T) {
	tests := []struct {
		name string
		ex   v1.Exchange
		want string
	}{
		{
			name: "form post with a secret placeholder",
			ex: v1.Exchange{Request: v1.Request{
				Method: "POST", URL: "https://as.test/token",
				Header: map[string][]string{"Content-Type": {"application/x-www-form-urlencoded"}, "Content-Length": {"57"}},
				Body:   "grant_type=client_credentials&client_secret=$ASSAY_CLIENT_SECRET",
			}},
			want: `curl -sS -i -X POST https://as.test/token \
  -H 'Content-Type: application/x-www-form-urlencoded' \
  --data-binary 'grant_type=client_credentials&client_secret='"$ASSAY_CLIENT_SECRET"`,
		},
		{
			name: "GET without body, URL with query, repeated header, empty header",
			ex: v1.Exchange{Request: v1.Request{
				Method: "get", URL: "https://as.test/.well-known/oauth-authorization-server?a=1&b=2",
				Header: map[string][]string{"Accept": {"application/json", "text/html"}, "X-Empty": {""}},
			}},
			want: `curl -sS -i -X GET 'https://as.test/.well-known/oauth-authorization-server?a=1&b=2' \
  -H 'Accept: application/json' \
  -H 'Accept: text/html' \
  -H 'X-Empty;'`,
		},
		{
			name: "HEAD uses --head, a body starting with @ is not read from a file",
			ex:   v1.Exchange{Request: v1.Request{Method: "HEAD", URL: "https://as.test/", Body: "@/etc/passwd"}},
			want: `curl -sS -i --head https://as.test/ \
  --data-raw @/etc/passwd`,
		},
		{
			name: "missing method is GET",
			ex:   v1.Exchange{Request: v1.Request{URL: "https://as.test/jwks"}},
			want: `curl -sS -i -X GET https://as.test/jwks`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Curl(tc.ex); got != tc.want {
				t.Errorf("Curl:\n got: %s\nwant: %s", got, tc.want)
			}
		})
	}
}

func TestAssay(t *testing.T) {
	if got, want := Assay("A-CA-04", ""), "assay run --only A-CA-04 -v"; got != want {
		t.Errorf("Assay: got %q, want %q", got, want)
	}
	if got, want := Assay("A-CA-04", "client"), "assay run --only A-CA-04 --label-filter 'carrier: containsAny client' -v"; got != want {
		t.Errorf("Assay: got %q, want %q", got, want)
	} // The run's target-choosing flags are kept, and a path with a space
	// stays one word when pasted.
	got := Assay("A-CA-04", "", "--config", "/tmp/my target.yaml", "--profile", "BCP", "--defect", "ignore-audience")
	if want := "assay run --config '/tmp/my target.yaml' --profile BCP --defect ignore-audience --only A-CA-04 -v"; got != want {
		t.Errorf("Assay: got %q, want %q", got, want)
	}
}

func TestShellQuote(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "''"},
		{"https://as.test/token", "https://as.test/token"},
		{"a b", "'a b'"},
		{"it's", `'it'\''s'`},
		{"$ASSAY_CLIENT_SECRET", `"$ASSAY_CLIENT_SECRET"`},
		{"x=${ASSAY_X}y", `'x='"${ASSAY_X}"'y'`},
		{"$schema $lower", `'$schema $lower'`},
		{"$(rm -rf /) `id` \\ \"q\"", `'$(rm -rf /) ` + "`id`" + ` \ "q"'`},
	}
	for _, tc := range tests {
		if got := ShellQuote(tc.in); got != tc.want {
			t.Errorf("ShellQuote(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

// TestShellQuoteRoundTrip has a real shell parse the quoted words: literal
// text must arrive byte for byte, placeholders expanded, nothing executed.
func TestShellQuoteRoundTrip(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("sh not installed")
	}
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"it's a 'quoted' \"thing\"", "it's a 'quoted' \"thing\""},
		{"secret=$ASSAY_CLIENT_SECRET&x=${ASSAY_CLIENT_SECRET}!", "secret=s3cr3t value&x=s3cr3t value!"},
		// The placeholder is the upper-case run "$HOME_"; "lower" stays literal.
		{"$(touch /tmp/pwned) `touch /tmp/pwned` $HOME_lower $lower *", "$(touch /tmp/pwned) `touch /tmp/pwned` home-valuelower $lower *"},
		{"line1\nline2\ttab\\", "line1\nline2\ttab\\"},
		{"'", "'"},
		{"''$ASSAY_CLIENT_SECRET''", "''s3cr3t value''"},
	}
	for _, tc := range tests {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		cmd := exec.CommandContext(ctx, sh, "-c", "printf '%s' "+ShellQuote(tc.in))
		cmd.Env = []string{"ASSAY_CLIENT_SECRET=s3cr3t value", "HOME_=home-value", "PATH=/usr/bin:/bin"}
		out, err := cmd.Output()
		cancel()
		if err != nil {
			t.Fatalf("sh for %q: %v", tc.in, err)
		}
		if string(out) != tc.want {
			t.Errorf("sh parsed ShellQuote(%q) as %q, want %q", tc.in, out, tc.want)
		}
	}
}

// TestCurlParsesAsArguments runs the generated command through sh with curl
// replaced by a function that prints its arguments, proving the line
// continuations and quoting produce exactly the intended argv.
func TestCurlParsesAsArguments(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("sh not installed")
	}
	ex := v1.Exchange{Request: v1.Request{
		Method: "POST", URL: "https://as.test/token?x='1'",
		Header: map[string][]string{"Authorization": {"Basic $ASSAY_CLIENT_BASIC"}, "X-Quote": {`it's "odd"`}},
		Body:   "a=1&secret=$ASSAY_CLIENT_SECRET&c=$(id)",
	}}
	script := `curl() { for a in "$@"; do printf '[%s]' "$a"; done; }; ` + Curl(ex)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, sh, "-c", script)
	cmd.Env = []string{"ASSAY_CLIENT_SECRET=s3cr3t", "ASSAY_CLIENT_BASIC=YTpi"}
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("sh: %v", err)
	}
	want := `[-sS][-i][-X][POST][https://as.test/token?x='1']` +
		`[-H][Authorization: Basic YTpi][-H][X-Quote: it's "odd"]` +
		`[--data-binary][a=1&secret=s3cr3t&c=$(id)]`
	if string(out) != want {
		t.Errorf("argv:\n got: %s\nwant: %s", out, want)
	}
}
