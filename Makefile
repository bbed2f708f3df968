# Shortcuts for developers; the README's two commands need no make.
.PHONY: lab test bench clean
lab:
	python3 dev.py lab
test:
	python3 dev.py test
bench:
	.venv/bin/python benchmarks/run_all.py
clean:
	rm -rf .venv build *.egg-info test-artifacts
