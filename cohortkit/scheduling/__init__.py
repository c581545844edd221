"""Scheduling: the section solver (``solver/``, pure Python, no Django), schedule runs and
publishing their result."""
