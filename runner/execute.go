package runner

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"strings"
	"time"

	tgt "github.com/assayhq/assay/runner/target"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/formatter"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/assayhq/assay/mockidp/defect"
	"github.com/assayhq/assay/mockidp/profile"
	"github.com/assayhq/assay/reports"
	v1 "github.com/assayhq/assay/reports/v1"
	"github.com/assayhq/assay/runner/config"
	"github.com/assayhq/assay/suites"
	"github.com/assayhq/assay/suites/check"
)

// DefaultParallel is how many independent checks a run sends at once: a
// few, so that a slow target's round trips overlap without flooding it.
const DefaultParallel = 4

// runOptions are the run command's flags.
type runOptions struct {
	config      string
	profile     profile.Profile // parsed where the flag is read
	labelFilter string
	only        listFlag
	defects     listFlag
	junit       string
	jsonOut     string
	out         string
	verbose     bool
	color       string
	timeout     time.Duration
	parallel    int
	caFile      string
	insecure    bool
	// args is the command line after "assay run", stored shell-quoted in
	// the report (assay flags never carry secrets).
	args []string
}

func runFlags(o *runOptions) *flag.FlagSet {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.StringVar(&o.config, "config", "", "target config file (default: the built-in reference server)")
	fs.Func("profile", "profile: "+profile.Names()+" (default BASE, or the config's)", func(v string) error {
		var err error
		o.profile, err = profile.Parse(v)
		return err
	})
	fs.StringVar(&o.labelFilter, "label-filter", "", "run only checks whose labels match, e.g. 'level:MUST && suite:clientauth'")
	fs.Var(&o.only, "only", "run only these check IDs (repeatable, comma-separated)")
	fs.Var(&o.defects, "defect", "built-in reference only: switch on a named defect (repeatable; see mockidp/defect)")
	fs.StringVar(&o.junit, "junit", "", "write a JUnit XML report to this file")
	fs.StringVar(&o.jsonOut, "json", "", "write the JSON report (schema assay.report/v1) to this file")
	fs.StringVar(&o.out, "out", "", "write every report format (report.json, junit.xml, report.html, summary.md) into this directory")
	fs.BoolVar(&o.verbose, "v", false, "print each exchange of failing, warning and erroring checks, and each N/A check's reason")
	fs.StringVar(&o.color, "color", "auto", "colour output: auto, always or never")
	fs.DurationVar(&o.timeout, "check-timeout", 30*time.Second, "time limit for one check")
	fs.IntVar(&o.parallel, "parallel", DefaultParallel, "run up to N independent checks at once (1: strictly one after another); checks that change or time shared state always run alone")
	fs.StringVar(&o.caFile, "ca-file", "", "PEM bundle the target's TLS certificate chains to (overrides target.caFile)")
	fs.BoolVar(&o.insecure, "insecure-skip-verify", false, "do not verify the target's TLS certificate (overrides target.insecureSkipVerify; prints a warning)")
	return fs
}

func runCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	o := runOptions{args: args}
	fs := runFlags(&o)
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for _, d := range o.defects {
		if !defect.Known(defect.Name(d)) {
			return usageErr("--defect: unknown defect %q (see mockidp/defect)", d)
		}
	}
	if o.color != "auto" && o.color != "always" && o.color != "never" {
		return usageErr("--color: want auto, always or never, got %q", o.color)
	}
	checks, err := selectChecks(o.labelFilter, o.only)
	if err != nil {
		return err
	}
	if len(checks) == 0 {
		// A run that tests nothing would exit 0 and look like a pass.
		if len(o.only) > 0 && o.labelFilter != "" {
			return usageErr("--only %s and --label-filter %q select no check in common (see assay list)", strings.Join(o.only, ","), o.labelFilter)
		}
		return usageErr("--label-filter %q selects no check (see assay list --label-filter ...)", o.labelFilter)
	}
	if o.parallel < 1 {
		return usageErr("--parallel: want 1 or more, got %d", o.parallel)
	}
	if set["check-timeout"] && o.timeout <= 0 {
		return usageErr("--check-timeout: want a positive duration, got %s", o.timeout)
	}
	if err := checkOutputs(o); err != nil {
		return err
	}
	if set["ca-file"] && set["insecure-skip-verify"] {
		return usageErr("--ca-file and --insecure-skip-verify: give one, not both")
	}
	cfg, err := loadConfig(o, set, getenv, stderr)
	if err != nil {
		return err
	}
	if cfg.Target.InsecureSkipVerify {
		fmt.Fprintln(stderr, "assay: warning: TLS certificate verification is off (insecure-skip-verify): any server can pose as the target")
	}
	if !set["check-timeout"] {
		o.timeout = cfg.Timeouts.Check.Duration
	}
	// testcontainers' reaper image cannot be pulled here; assay removes its
	// containers itself (runner/target).
	if getenv("TESTCONTAINERS_RYUK_DISABLED") == "" {
		_ = os.Setenv("TESTCONTAINERS_RYUK_DISABLED", "true")
	}
	// testcontainers prints a banner to stderr when it connects: only -v
	// shows it.
	if o.verbose {
		tgt.SetLogger(log.New(stderr, "testcontainers: ", 0))
	} else {
		tgt.SetLogger(nil)
	}
	started := time.Now()
	r, err := start(ctx, cfg, stdout, getenv)
	if err != nil {
		var ee *ExitError
		if errors.As(err, &ee) {
			return err
		}
		if strings.Contains(err.Error(), "tls: failed to verify certificate") && cfg.Target.CAFile == "" {
			err = fmt.Errorf("%w\nhint: if the target's certificate comes from a private CA, give its PEM with target.caFile or --ca-file", err)
		}
		// CI always gets its reports, even when no check could run.
		if werr := writeReports(o, setupFailure(o, cfg, err, started)); werr != nil {
			err = errors.Join(err, werr)
		}
		return &ExitError{Code: ExitHarnessError, Err: err}
	}
	defer r.close()
	expected := map[string]string{}
	for _, x := range cfg.ExpectedFailures {
		expected[x.ID] = x.Reason
	}
	return execute(ctx, o, r, cfg.Profile, checks, expected, stdout, getenv)
}

// targetLogLines bounds the target output a report keeps.
const targetLogLines = 50

// needsLog reports whether r has a finding the target's output may explain:
// an unexpected FAIL or an ERROR.
func needsLog(r v1.Report) bool {
	for _, res := range r.Results {
		if res.Outcome == v1.Error || (res.Outcome == v1.Fail && !res.Expected) {
			return true
		}
	}
	return false
}

// ginkgoT is the GinkgoTestingT of a run outside `go test`.
type ginkgoT struct{ failed bool }

func (t *ginkgoT) Fail() { t.failed = true }

// execute runs checks against the target through Ginkgo, prints progress
// and the summary, writes the reports, and returns the exit status.
func execute(ctx context.Context, o runOptions, tgt *running, profile check.Profile, checks []check.Check, expected map[string]string, stdout io.Writer, getenv func(string) string) error {
	tty := isTerminal(stdout)
	color := o.color == "always" || (o.color == "auto" && tty && getenv("NO_COLOR") == "")
	fmt.Fprintf(stdout, "assay %s: %d checks against %s (%s), profile %s\n", Version, len(checks), reports.Escape(tgt.env.Target.Issuer), reports.Escape(tgt.name), profile)
	if line := sparesLine(tgt, profile, checks, o.parallel); line != "" {
		fmt.Fprintln(stdout, line)
	}
	progress := reports.NewProgress(stdout, len(checks), tty, color)
	progress.ShowNA = o.verbose

	// The default Ginkgo reporter would print its own transcript to os.Stdout;
	// assay prints its own progress and summary, so Ginkgo's goes nowhere.
	formatter.ColorableStdOut = io.Discard

	var report types.Report
	ginkgo.ReportAfterSuite("assay report", func(r ginkgo.Report) { report = r })
	ginkgo.ReportBeforeEach(func(sr ginkgo.SpecReport) {
		if id, ok := labelValue(sr.Labels(), "id"); ok && !sr.State.Is(types.SpecStateSkipped) {
			progress.Start(id, sr.LeafNodeText)
		}
	})
	var observations []v1.Observation
	ginkgo.ReportAfterEach(func(sr ginkgo.SpecReport) {
		if obs, ok := observationOf(sr); ok {
			observations = append(observations, obs)
			fmt.Fprintf(stdout, "OBS   %s  %s\n", reports.Escape(obs.ID), reports.Escape(obs.Text))
		}
		if res, ok := resultOf(sr); ok {
			progress.Done(res)
			if o.verbose && res.Outcome != v1.Pass && res.Outcome != v1.NA {
				printExchanges(stdout, res)
			}
		}
	})
	stop := func() {}
	if o.parallel > 1 {
		stop = suites.RegisterParallel(ctx, tgt.env, checks, o.timeout, o.parallel)
	} else {
		suites.Register(tgt.env, checks, o.timeout)
	}
	if len(o.only) == 0 && o.labelFilter == "" {
		// Observations send requests of their own: only a full run makes them.
		suites.RegisterObservations(tgt.env, suites.Observations())
	}
	suiteCfg, repCfg := ginkgo.GinkgoConfiguration()
	suiteCfg.Timeout = 2 * time.Hour
	suiteCfg.RandomizeAllSpecs = false
	// Ginkgo still shuffles top-level containers by the seed: a fixed seed
	// keeps checks and observations in one order from run to run (an
	// observation sends requests of its own).
	suiteCfg.RandomSeed = 1
	repCfg.NoColor = true
	started := time.Now()
	done := make(chan struct{})
	go func() {
		defer close(done)
		ginkgo.RunSpecs(&ginkgoT{}, "assay", suiteCfg, repCfg)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		<-done // Ginkgo's own interrupt handler ends the run and reports
	}
	stop() // no check still sends once the reports are written
	all := make([]v1.Result, 0, len(suites.All()))
	for _, c := range suites.All() {
		all = append(all, c.Report(check.Result{Outcome: v1.Skip, Reason: "filtered out"}, 0, nil))
	}
	r := reports.FromGinkgo(report, reports.Meta{
		Tool:    v1.Tool{Name: "assay", Version: Version},
		Target:  v1.Target{Name: tgt.name, Issuer: tgt.env.Target.Issuer, TokenEndpoint: tgt.env.Target.TokenEndpoint, Profile: string(profile)},
		Command: reports.Command(append([]string{"assay", "run"}, o.args...)...),
		Checks:  all,
	})
	if r.Started.IsZero() {
		r.Started, r.Finished = started, time.Now()
	}
	// The grace for late fetches passes on the target's clock: a target
	// schedules a background refresh on its own clock, and the in-process
	// reference's is virtual.
	collectLateHits(&r, tgt.env.Oracle, tgt.pause, stdout)
	if tgt.clock != nil && tgt.clock.Advanced() > 0 {
		fmt.Fprintf(stdout, "virtual time: the built-in reference shares assay's clock, and the waits of this run advanced it %s at no wall-clock cost (the durations in the reports include them)\n", tgt.clock.Advanced().Round(time.Millisecond))
	}
	for i := range r.Results {
		if r.Results[i].Outcome == v1.Fail && r.Results[i].Repro == nil && len(r.Results[i].Exchanges) > 0 {
			r.Results[i].Repro = &v1.Repro{Curl: reports.Curl(r.Results[i].Exchanges[0]), Assay: reports.Assay(r.Results[i].ID, r.Results[i].Carrier, o.reproContext()...),
				Note: "a replayed assertion needs a fresh jti and exp; run the assay command to rebuild it"}
		}
	}
	reports.ApplyExpected(&r, expected)
	r.Observations = observations
	if tgt.logs != nil && needsLog(r) {
		r.TargetLog = tail(tgt.logs(), targetLogLines, tgt.env.Secrets)
	}
	r.Summarize()
	_ = reports.WriteSummary(stdout, r, color)
	if n := len(r.TargetLog); n > 0 {
		if o.verbose {
			fmt.Fprintf(stdout, "target output (last %d lines):\n", n)
			for _, l := range r.TargetLog {
				fmt.Fprintf(stdout, "  %s\n", reports.Escape(l))
			}
		} else {
			fmt.Fprintf(stdout, "target output: the last %d lines are in the reports; -v prints them\n", n)
		}
	}
	if err := writeReports(o, r); err != nil {
		return &ExitError{Code: ExitHarnessError, Err: err}
	}
	if ctx.Err() != nil {
		return &ExitError{Code: ExitHarnessError, Err: fmt.Errorf("interrupted: %w", ctx.Err())}
	}
	return verdict(r)
}

// verdict is the exit status of a report: the judgement every report
// prints as its verdict (reports.Judge, semantics.md §3).
func verdict(r v1.Report) error {
	if code := reports.Judge(r).ExitCode(); code != ExitOK {
		return quiet(code)
	}
	return nil
}

func resultOf(sr types.SpecReport) (v1.Result, bool) {
	for _, e := range sr.ReportEntries {
		if e.Name == v1.ResultEntry {
			if res, ok := e.GetRawValue().(v1.Result); ok {
				return res, true
			}
		}
	}
	return v1.Result{}, false
}

func observationOf(sr types.SpecReport) (v1.Observation, bool) {
	for _, e := range sr.ReportEntries {
		if e.Name == v1.ObservationEntry {
			if obs, ok := e.GetRawValue().(v1.Observation); ok {
				return obs, true
			}
		}
	}
	return v1.Observation{}, false
}

func labelValue(labels []string, key string) (string, bool) {
	for _, l := range labels {
		if strings.HasPrefix(l, key+":") {
			return strings.TrimPrefix(l, key+":"), true
		}
	}
	return "", false
}

func printExchanges(w io.Writer, res v1.Result) {
	for i, ex := range res.Exchanges {
		fmt.Fprintf(w, "    --- exchange %d: %s %s\n", i+1, reports.Escape(ex.Request.Method), reports.Escape(ex.Request.URL))
		if ex.Request.Body != "" {
			fmt.Fprintf(w, "    request body: %s\n", reports.Escape(ex.Request.Body))
		}
		if ex.Response != nil {
			fmt.Fprintf(w, "    response: HTTP %d %s\n", ex.Response.Status, reports.Escape(ex.Response.Body))
		}
		if ex.Error != "" {
			fmt.Fprintf(w, "    error: %s\n", reports.Escape(ex.Error))
		}
	}
}

// setupFailure is the report of a run that failed before any check ran
// (start, discovery, TLS, registration): one ERROR result carrying the
// cause, so that every report format still exists.
func setupFailure(o runOptions, cfg config.Config, cause error, started time.Time) v1.Report {
	r := v1.Report{
		Schema:  v1.Schema,
		Tool:    v1.Tool{Name: "assay", Version: Version},
		Target:  v1.Target{Name: cfg.Name, Issuer: cfg.Target.Issuer, TokenEndpoint: cfg.Target.TokenEndpoint, Profile: string(cfg.Profile)},
		Command: reports.Command(append([]string{"assay", "run"}, o.args...)...),
		Started: started, Finished: time.Now(),
		Results: []v1.Result{{ID: "SETUP", Title: "start and reach the target (start, TLS, discovery, registration)",
			Level: "MUST", Suite: "setup", Outcome: v1.Error, Reason: cause.Error()}},
	}
	r.Summarize()
	return r
}

// checkOutputs refuses report paths that cannot be written before any
// check runs: a run that ends with "cannot write junit.xml" wasted the
// run and left CI without a report.
func checkOutputs(o runOptions) error {
	probe := func(flag, dir string) error {
		f, err := os.CreateTemp(dir, ".assay-probe-*")
		if err != nil {
			return usageErr("%s: cannot write into %s: %v", flag, dir, errors.Unwrap(err))
		}
		name := f.Name()
		f.Close()
		return os.Remove(name)
	}
	for _, x := range []struct{ flag, path string }{{"--junit", o.junit}, {"--json", o.jsonOut}} {
		if x.path == "" {
			continue
		}
		if fi, err := os.Stat(x.path); err == nil && fi.IsDir() {
			return usageErr("%s: %s is a directory, want a file path", x.flag, x.path)
		}
		if err := probe(x.flag, filepath.Dir(x.path)); err != nil {
			return err
		}
	}
	if o.out != "" {
		if err := os.MkdirAll(o.out, 0o755); err != nil {
			return usageErr("--out: cannot create directory %s: %v", o.out, errors.Unwrap(err))
		}
		return probe("--out", o.out)
	}
	return nil
}

func writeReports(o runOptions, r v1.Report) error {
	type out struct {
		path  string
		write func(io.Writer, v1.Report) error
	}
	var outs []out
	if o.junit != "" {
		outs = append(outs, out{o.junit, reports.WriteJUnit})
	}
	if o.jsonOut != "" {
		outs = append(outs, out{o.jsonOut, reports.WriteJSON})
	}
	if o.out != "" {
		if err := os.MkdirAll(o.out, 0o755); err != nil {
			return fmt.Errorf("create --out directory: %w", err)
		}
		outs = append(outs,
			out{filepath.Join(o.out, "report.json"), reports.WriteJSON},
			out{filepath.Join(o.out, "junit.xml"), reports.WriteJUnit},
			out{filepath.Join(o.out, "report.html"), reports.WriteHTML},
			out{filepath.Join(o.out, "summary.md"), reports.WriteMarkdown})
	}
	for _, x := range outs {
		f, err := os.Create(x.path)
		if err != nil {
			return fmt.Errorf("write report: %w", err)
		}
		err = x.write(f, r)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("write report %s: %w", x.path, err)
		}
	}
	return nil
}

// reproContext are the flags of this run that choose its target, for the
// repro line of a failing check: --config, --profile and --defect.
// assay flags never carry secrets (secrets come from the environment).
func (o runOptions) reproContext() []string {
	var words []string
	if o.config != "" {
		words = append(words, "--config", o.config)
	}
	if o.profile != "" {
		words = append(words, "--profile", string(o.profile))
	}
	for _, d := range o.defects {
		words = append(words, "--defect", d)
	}
	return words
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// sparesLine says how the checks that change a client's key set and wait
// on the target's key cache (the rotation scenarios, the hosted-key rows:
// check.Check.Spare) run against a target in real time: side by side on
// spare clients of their own, or one after another, and why. "" when none runs or the target shares assay's
// virtual clock.
func sparesLine(tgt *running, profile check.Profile, checks []check.Check, parallel int) string {
	n := 0
	for _, c := range checks {
		if c.Spare != "" && c.AppliesTo(profile) {
			n++
		}
	}
	if n == 0 || tgt.env.VirtualTime {
		return ""
	}
	spares := tgt.env.Spares.Len()
	switch {
	case spares > 0 && parallel > 1:
		return fmt.Sprintf("key caching: %d checks that change a client's key set run side by side, each on a spare client of its own (%d spare clients)", n, spares)
	case spares > 0:
		return fmt.Sprintf("key caching: %d checks that change a client's key set run one after another (--parallel 1)", n)
	}
	return fmt.Sprintf("key caching: %d checks that change a client's key set run one after another on clients A and B, each waiting on the target's key cache; spare clients (clients.spares) let them wait side by side", n)
}
