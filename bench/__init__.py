"""Benchmarks of the chapter site (`make bench` = `python -m bench`)."""
