# bettermatch — the two commands a new user needs are `make run` and `make test`.
GO      ?= go
BIN     ?= bin/bettermatch
PKGS    ?= ./...
# A short fuzz run per fuzz target is part of `make test`; `make fuzz` runs longer.
FUZZTIME ?= 5s

.PHONY: run test build bench lint fuzz eval clean docker

run: ## the service on its embedded database, with demo data, at http://localhost:8080
	BETTERMATCH_DEMO=true BETTERMATCH_LOG_FORMAT=text $(GO) run ./cmd/bettermatch serve

build: ## a static binary in bin/
	CGO_ENABLED=0 $(GO) build -trimpath -o $(BIN) ./cmd/bettermatch

test: lint ## the whole suite, then a short fuzz run of every fuzz target
	$(GO) test -count=1 -timeout 15m $(PKGS)
	@scripts/fuzz.sh $(FUZZTIME)

bench: ## Go benchmarks (matching on 100k profiles, search, import, hashing)
	$(GO) test -run '^$$' -bench . -benchmem -timeout 30m $(PKGS)

lint: ## gofmt and go vet
	@out=$$(gofmt -l cmd internal frontend scripts 2>/dev/null); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)

fuzz: ## a longer fuzz run
	@scripts/fuzz.sh 60s

eval: ## ranking quality on ../shared/eval (skips when absent)
	@if [ -f ../shared/eval/dev.json ]; then \
		$(GO) run ./cmd/bettermatch eval ../shared/eval/dev.json ../shared/eval/dev-qrels.json; \
	else echo "eval: ../shared/eval/dev.json not found; skipping"; fi

docker: ## build the container image (needs a Docker engine)
	docker build -t bettermatch .

clean:
	rm -rf bin data
