from django.apps import AppConfig


class OrganizeConfig(AppConfig):
    """The organizer's home of a term: where it stands and what to do next (top layer: it reads
    every app below it and none reads it)."""

    name = "cohortkit.organize"
    label = "organize"
