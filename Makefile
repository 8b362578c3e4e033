.PHONY: run test generate bench setup

run:        ## the whole system on one machine (embedded broker, SQLite)
	scripts/run

test:       ## set up from a fresh clone and run every test
	scripts/test

generate:   ## rewrite generated files: event schemas, AsyncAPI, docs, and the deploy files and .importlinter from tools/services.py
	scripts/setup && .venv/bin/python -m tools.generate

bench:      ## benchmarks; results in bench/results.md
	scripts/setup && .venv/bin/python -m bench.run

setup:
	scripts/setup
