package reports

import (
	"bytes"
	"context"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	v1 "github.com/assayhq/assay/reports/v1"
)

// browserTimeout bounds every Chromium run.
const browserTimeout = 60 * time.Second

// chromium returns the path of a headless-capable Chromium or skips the test.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("chromium not installed: apt-get install chromium")
	return ""
}

// runChromium runs headless Chromium with a private profile and returns its
// standard output.
func runChromium(t *testing.T, bin string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), browserTimeout)
	defer cancel()
	base := []string{"--headless", "--disable-gpu", "--no-sandbox", "--no-first-run",
		"--disable-dev-shm-usage", "--user-data-dir=" + t.TempDir()}
	cmd := exec.CommandContext(ctx, bin, append(base, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if ctx.Err() != nil {
		t.Fatalf("chromium timed out after %v; stderr:\n%s", browserTimeout, stderr.String())
	}
	if err != nil {
		t.Fatalf("chromium %v: %v; stderr:\n%s", args, err, stderr.String())
	}
	return out
}

// writePage renders r to a file in a temporary directory and returns its path.
func writePage(t *testing.T, r v1.Report) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "report.html")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteHTML(f, r); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// bodyAttr returns the value of attribute name on the dumped DOM's <body>.
func bodyAttr(dom []byte, name string) (string, bool) {
	_, after, _ := bytes.Cut(dom, []byte("</head>"))
	body := regexp.MustCompile(`<body[\s>][^>]*>?`).Find(after)
	m := regexp.MustCompile(`\s` + regexp.QuoteMeta(name) + `="([^"]*)"`).FindSubmatch(body)
	if m == nil {
		return "", false
	}
	return html.UnescapeString(string(m[1])), true
}

// TestHTMLInBrowser loads the rendered page in headless Chromium. With
// #selftest the page drives its own filters and compares what is visible
// with the summary counts; errors in its script, console errors and CSP
// violations are recorded on <body> by the page's guard script.
func TestHTMLInBrowser(t *testing.T) {
	bin := chromium(t)
	reports := map[string]v1.Report{"sample": sampleReport(), "hostile": hostileReport()}
	for name, r := range reports {
		t.Run(name, func(t *testing.T) {
			page := writePage(t, r)
			dom := runChromium(t, bin, "--dump-dom", "file://"+page+"#selftest")

			if errs, ok := bodyAttr(dom, "data-errors"); ok {
				t.Errorf("page recorded errors:\n%s", errs)
			}
			if got, ok := bodyAttr(dom, "data-selftest"); got != "ok" {
				t.Errorf("filter self-test: %q (ran: %v)", got, ok)
			}
			if _, pwned := bodyAttr(dom, "data-pwned"); pwned {
				t.Error("report text was executed as script")
			}
			if n := bytes.Count(dom, []byte(`<details class="result`)); n != len(r.Results) {
				t.Errorf("rendered DOM has %d result rows, want %d", n, len(r.Results))
			}
			if !bytes.Contains(dom, []byte(`id="shown">`+strconv.Itoa(len(r.Results))+" of "+strconv.Itoa(len(r.Results))+" shown<")) {
				t.Error("the filters' counter was not updated by the script, or not reset after the self-test")
			}
		})
	}

	t.Run("screenshot", func(t *testing.T) {
		page := writePage(t, sampleReport())
		png := filepath.Join(t.TempDir(), "report.png")
		runChromium(t, bin, "--screenshot="+png, "--window-size=1280,2000", "file://"+page)
		data, err := os.ReadFile(png)
		if err != nil {
			t.Fatalf("read screenshot: %v", err)
		}
		if len(data) < 1000 || !bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")) {
			t.Errorf("screenshot is not a real PNG (%d bytes)", len(data))
		}
	})

	t.Run("no self-test without the fragment", func(t *testing.T) {
		dom := runChromium(t, bin, "--dump-dom", "file://"+writePage(t, sampleReport()))
		if _, ran := bodyAttr(dom, "data-selftest"); ran {
			t.Error("self-test ran without #selftest")
		}
		if errs, ok := bodyAttr(dom, "data-errors"); ok {
			t.Errorf("page recorded errors:\n%s", errs)
		}
	})
}

// TestHTMLGuardReportsErrors proves the harness can see a failure: a page
// whose script throws must come back with data-errors set, or a passing
// TestHTMLInBrowser would mean nothing.
func TestHTMLGuardReportsErrors(t *testing.T) {
	bin := chromium(t)
	var b bytes.Buffer
	if err := WriteHTML(&b, sampleReport()); err != nil {
		t.Fatal(err)
	}
	// An inline script the CSP does not allow, and one more error source:
	// both must be recorded.
	broken := strings.Replace(b.String(), "</body>", "<script>window.boom()</script></body>", 1)
	path := filepath.Join(t.TempDir(), "broken.html")
	if err := os.WriteFile(path, []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	dom := runChromium(t, bin, "--dump-dom", "file://"+path+"#selftest")
	errs, ok := bodyAttr(dom, "data-errors")
	if !ok || !strings.Contains(errs, "CSP violation") {
		t.Errorf("injected script: want a recorded CSP violation, got %q", errs)
	}
	if got, _ := bodyAttr(dom, "data-selftest"); got != "ok" {
		t.Errorf("self-test should still pass on the page itself: %q", got)
	}
}
