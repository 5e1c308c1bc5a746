"""What benchmarks report, kept apart from the benchmarks themselves (each bench/*.py is run by `make bench`)."""
