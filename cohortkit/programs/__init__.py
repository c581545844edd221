"""Programs: ``Program``, ``Term``, ``Track``, ``Week`` and the curriculum; the program page, term
settings, the curriculum and term YAML, running a term again (copying) and the role command."""
