package reports

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	v1 "github.com/assayhq/assay/reports/v1"
)

func TestWriteJSONRoundTrips(t *testing.T) {
	want := sampleReport()
	var b bytes.Buffer
	if err := WriteJSON(&b, want); err != nil {
		t.Fatalf("WriteJSON: %v", err)
	}
	var got v1.Report
	dec := json.NewDecoder(&b)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("decode: %v", err)
	}
	if err := got.Validate(); err != nil {
		t.Errorf("decoded report does not validate: %v", err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("round trip changed the report:\n got: %s\nwant: %s", mustJSON(t, got), mustJSON(t, want))
	}
}

func TestWriteJSONIsStableAndReadable(t *testing.T) {
	var a, b bytes.Buffer
	if err := WriteJSON(&a, sampleReport()); err != nil {
		t.Fatal(err)
	}
	if err := WriteJSON(&b, sampleReport()); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("two writes of the same report differ")
	}
	out := a.String()
	if !strings.Contains(out, "\n  \"schema\": \"assay.report/v1\",") {
		t.Error("output is not indented with two spaces")
	}
	if !strings.Contains(out, "grant_type=client_credentials&client_secret=$ASSAY_CLIENT_SECRET") {
		t.Error("form bodies should keep & unescaped")
	}
}

func TestWriteJSONEmptyResults(t *testing.T) {
	var b bytes.Buffer
	if err := WriteJSON(&b, v1.Report{Schema: v1.Schema}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `"results": []`) {
		t.Errorf("want \"results\": [], got %s", b.String())
	}
}
