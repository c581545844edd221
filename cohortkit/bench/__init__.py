"""Benchmarks run by hand (``make bench-apply``, ``make bench-markdown``); no app imports them."""
