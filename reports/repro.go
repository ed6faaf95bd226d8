package reports

import (
	"regexp"
	"strings"

	v1 "github.com/assayhq/assay/reports/v1"
)

// placeholder matches the environment-variable placeholders that redaction
// leaves in exchanges, $NAME or ${NAME} with an upper-case NAME
// ($ASSAY_CLIENT_SECRET). Lower-case names stay literal: "$schema" in a
// JSON body is data, not a placeholder.
var placeholder = regexp.MustCompile(`\$(?:\{[A-Z][A-Z0-9_]*\}|[A-Z][A-Z0-9_]*)`)

// reproCommands are the commands of rp that are set: the curl replay of
// the first exchange, then the assay command that reruns the check.
func reproCommands(rp *v1.Repro) []string {
	var cmds []string
	if rp.Curl != "" {
		cmds = append(cmds, rp.Curl)
	}
	if rp.Assay != "" {
		cmds = append(cmds, rp.Assay)
	}
	return cmds
}

// Curl returns a curl command that replays ex.Request: method, URL, every
// header (sorted; Content-Length is left to curl, because the redacted body
// differs in length from the one sent) and the body byte for byte via
// --data-binary. Arguments are single-quoted; placeholders such as
// $ASSAY_CLIENT_SECRET are left outside the quotes so the shell expands them.
func Curl(ex v1.Exchange) string {
	req := ex.Request
	method := strings.ToUpper(req.Method)
	if method == "" {
		method = "GET"
	}
	first := []string{"curl", "-sS", "-i"}
	if method == "HEAD" {
		first = append(first, "--head") // -X HEAD makes curl wait for a body
	} else {
		first = append(first, "-X", ShellQuote(method))
	}
	first = append(first, ShellQuote(req.URL))
	lines := []string{strings.Join(first, " ")}
	for _, name := range sortedKeys(req.Header) {
		if strings.EqualFold(name, "Content-Length") {
			continue
		}
		for _, v := range req.Header[name] {
			h := name + ": " + v
			if v == "" {
				h = name + ";" // "Name:" would make curl drop the header
			}
			lines = append(lines, "-H "+ShellQuote(h))
		}
	}
	if req.Body != "" {
		flag := "--data-binary"
		if strings.HasPrefix(req.Body, "@") {
			flag = "--data-raw" // --data-binary @x would read the file x
		}
		lines = append(lines, flag+" "+ShellQuote(req.Body))
	}
	return strings.Join(lines, " \\\n  ")
}

// Assay returns the assay command that reruns one check verbosely, e.g.
// "assay run --config 'my target.yaml' --only A-CA-04 -v": context are the
// run's own flags that choose the target (--config, --profile, --defect),
// kept so that the line reruns against the same target; with a carrier it
// adds a label filter for that carrier. Every word is shell-quoted.
func Assay(id string, carrier string, context ...string) string {
	cmd := Command(append([]string{"assay", "run"}, context...)...) + " --only " + ShellQuote(id)
	if carrier != "" {
		cmd += " --label-filter " + ShellQuote("carrier: containsAny "+carrier)
	}
	return cmd + " -v"
}

// Command joins words into one command line, each word shell-quoted, so
// that the line pasted into a shell runs the same argv.
func Command(words ...string) string {
	q := make([]string, len(words))
	for i, w := range words {
		q[i] = ShellQuote(w)
	}
	return strings.Join(q, " ")
}

// ShellQuote quotes s as one POSIX shell word. Words made only of safe
// characters are returned as they are; otherwise literal text is put in
// single quotes (an embedded ' becomes '\”) and placeholders ($NAME,
// ${NAME}) are put in double quotes next to them, so the shell expands them
// and nothing else.
func ShellQuote(s string) string {
	if s == "" {
		return "''"
	}
	if isShellSafe(s) {
		return s
	}
	var b strings.Builder
	last := 0
	for _, m := range placeholder.FindAllStringIndex(s, -1) {
		quoteLiteral(&b, s[last:m[0]])
		b.WriteString(`"` + s[m[0]:m[1]] + `"`)
		last = m[1]
	}
	quoteLiteral(&b, s[last:])
	return b.String()
}

func quoteLiteral(b *strings.Builder, s string) {
	if s == "" {
		return
	}
	b.WriteString("'" + strings.ReplaceAll(s, "'", `'\''`) + "'")
}

func isShellSafe(s string) bool {
	for _, c := range s {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.ContainsRune("@%+=:,./_-", c):
		default:
			return false
		}
	}
	return true
}
