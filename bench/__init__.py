"""Benchmarks: `make bench` runs every module listed in bench/__main__.py and prints figures.
They are measurements, not tests: nothing here fails a build."""
