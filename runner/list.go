package runner

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/assayhq/assay/suites"
	"github.com/assayhq/assay/suites/check"
)

// selectChecks returns the checks that pass the label filter and --only.
func selectChecks(filter string, only []string) ([]check.Check, error) {
	match := func([]string) bool { return true }
	if filter != "" {
		f, err := types.ParseLabelFilter(filter)
		if err != nil {
			return nil, usageErr("--label-filter: %s", labelFilterError(err))
		}
		match = f
	}
	want := map[string]bool{}
	for _, id := range only {
		want[id] = true
	}
	all := suites.All()
	known := map[string]bool{}
	for _, c := range all {
		known[c.ID], known[c.Key()] = true, true
	}
	var unknown []string
	for _, id := range only {
		if !known[id] {
			unknown = append(unknown, id)
		}
	}
	if len(unknown) > 0 {
		return nil, usageErr("--only: unknown check %s (see assay list)", strings.Join(unknown, ", "))
	}
	var out []check.Check
	for _, c := range all {
		if len(want) > 0 && !want[c.ID] && !want[c.Key()] {
			continue
		}
		if match(c.Labels()) {
			out = append(out, c)
		}
	}
	return out, nil
}

func listCommand(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("list", flag.ContinueOnError)
	filter := fs.String("label-filter", "", "Ginkgo label filter, e.g. 'level:MUST && spec: containsAny RFC7523-3'")
	var only listFlag
	fs.Var(&only, "only", "check IDs to list (repeatable, comma-separated)")
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	cs, err := selectChecks(*filter, only)
	if err != nil {
		return err
	}
	for _, c := range cs {
		fmt.Fprintln(stdout, suites.CatalogLine(c))
	}
	return nil
}

// labelFilterError is Ginkgo's label-filter syntax error as plain text: its
// own text carries colour codes (and markup) whatever --color says.
func labelFilterError(err error) string {
	var ge types.GinkgoError
	if !errors.As(err, &ge) {
		return err.Error()
	}
	msg := strings.TrimSpace(markup.ReplaceAllString(ge.Message, ""))
	return ge.Heading + ": " + strings.Join(strings.Fields(msg), " ")
}

// markup matches Ginkgo's formatter directives ({{red}}, {{/}}).
var markup = regexp.MustCompile(`\{\{[a-z0-9/-]*\}\}`)
