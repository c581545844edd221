"""Completion: the term's completion rule, each person's progress and confirmed completion
(with overrides), and the end-of-course feedback."""
