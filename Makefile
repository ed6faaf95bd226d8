# assay: conformance and attack checks for OAuth 2.0 token endpoints that take JWTs.
.DEFAULT_GOAL := help
GO        ?= go
CONFIG    ?=
PROFILE   ?=
FUZZTIME  ?= 20s
# A hung test panics at this bound and the panic names it (go test prints the
# running tests and every goroutine); each container or interop run also has
# its own bound inside the test.
TEST_TIMEOUT ?= 25m
export TESTCONTAINERS_RYUK_DISABLED := true

help:        ## list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

run:         ## run every check against the built-in reference (CONFIG=file for another target, PROFILE=BIS …)
	$(GO) run ./runner/cmd/assay run $(if $(CONFIG),--config $(CONFIG)) $(if $(PROFILE),--profile $(PROFILE)) --out out

test:        ## everything CI runs: unit tests, the self-test kill matrix, CLI tests, container e2e, HTML browser test
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout $(TEST_TIMEOUT) ./...
	cd fixtures/servers/seeds && $(GO) vet ./... && $(GO) test -count=1 ./...

catalog:     ## regenerate the committed check catalog (suites/testdata/catalog.golden, catalog-ids.txt)
	$(GO) test ./suites/ -run TestCatalog -update

bench:       ## speed: the full suite against the reference (wall, exchanges, loopback round trip, ratio to the floor) and a 5 s key-cache target
	$(GO) test -run '^$$' -bench '^(BenchmarkFullSuite|BenchmarkKeyCache5s)$$' -timeout 30m ./suites/

bench-all:   ## every Go benchmark: the above, signing, key sets, reference throughput
	$(GO) test -run '^$$' -bench . -benchmem -timeout 30m ./...

fuzz:        ## run each fuzz target for FUZZTIME
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "fuzz $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

image:       ## build the FROM scratch reference image (assay/mockidp:dev) and stage the interop servers' build contexts
	sh fixtures/servers/stage.sh fosite zitadel
	mkdir -p bin/image && CGO_ENABLED=0 $(GO) build -trimpath -o bin/image/mockidp ./mockidp/cmd/mockidp
	cp mockidp/cmd/mockidp/Dockerfile bin/image/Dockerfile
	docker build -t assay/mockidp:dev bin/image

.PHONY: help run test catalog bench bench-all fuzz image
