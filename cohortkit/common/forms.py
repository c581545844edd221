"""Form fields every app's forms share: the time zone picker."""

from __future__ import annotations

from functools import cache
from typing import Any

from django import forms
from django.utils.html import format_html
from django.utils.safestring import SafeString

from cohortkit.common.timezones import (
    ANYWHERE_ON_EARTH,
    all_time_zones,
    canonical_time_zone,
    time_zone_links,
    time_zone_to_store,
)


@cache
def time_zone_aliases() -> dict[str, str]:
    """The old names of each listed zone, space-separated (``Asia/Kolkata``: ``Asia/Calcutta``),
    so a list can be searched by them and the browser's zone found when the browser reports an
    old name (Chromium says ``Asia/Calcutta``)."""
    names: dict[str, list[str]] = {}
    listed = set(all_time_zones())
    for alias in time_zone_links():
        current = canonical_time_zone(alias)
        if current in listed and current != alias:
            names.setdefault(current, []).append(alias)
    return {zone: " ".join(sorted(aliases)) for zone, aliases in names.items()}


def time_zone_choices(*, include_anywhere_on_earth: bool = False) -> list[tuple[str, str]]:
    choices = [(name, name.replace("_", " ")) for name in all_time_zones()]
    if include_anywhere_on_earth:
        choices.insert(0, (ANYWHERE_ON_EARTH, "Anywhere on Earth (end of the date at UTC−12)"))
    return choices


class TimeZoneSelect(forms.Select):
    """The list of zones with a box above it that narrows the list as one types (``Kolkata``,
    ``new york``). The box is hidden until the page's script shows it, so without JavaScript the
    plain list still works; no inline script, as the CSP requires.

    A list with no zone chosen yet (no initial value, nothing sent) is marked
    ``data-zone-default="browser"``: the script then chooses the browser's own zone, if it is one
    of the list's canonical names, instead of the first zone of the alphabet."""

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(*args, **kwargs)
        aliases = time_zone_aliases().get(str(option["value"]))
        if aliases:
            option["attrs"] = {"data-aliases": aliases, **option["attrs"]}
        return option

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        if not value:
            attrs = {**(attrs or {}), "data-zone-default": "browser"}
        select = super().render(name, value, attrs, renderer)
        target = (attrs or {}).get("id") or f"id_{name}"
        search = format_html(
            '<input type="search" class="zone-filter" data-zone-filter="{}" hidden '
            'aria-label="Find a city or region in the list" placeholder="Find a city…" '
            'autocomplete="off">',
            target,
        )
        return format_html("{}{}", search, select)


class TimeZoneField(forms.ChoiceField):
    """A zone from the current canonical list; an old name someone sends (``Asia/Calcutta``) is
    taken as its current one (``Asia/Kolkata``), so only canonical names are stored."""

    widget = TimeZoneSelect

    def __init__(self, *, include_anywhere_on_earth: bool = False, **kwargs: Any) -> None:
        self.include_anywhere_on_earth = include_anywhere_on_earth
        super().__init__(
            choices=time_zone_choices(include_anywhere_on_earth=include_anywhere_on_earth),
            **kwargs,
        )

    def prepare_value(self, value: Any) -> Any:
        return canonical_time_zone(value) if isinstance(value, str) else value

    def to_python(self, value: Any) -> str:
        text = super().to_python(value)
        if not text:
            return text
        stored = time_zone_to_store(text, allow_anywhere_on_earth=self.include_anywhere_on_earth)
        return stored if stored is not None else text

    def validate(self, value: Any) -> None:
        if value and (
            time_zone_to_store(value, allow_anywhere_on_earth=self.include_anywhere_on_earth)
            is None
        ):
            raise forms.ValidationError(
                "Select a valid choice: “%(value)s” is not a time zone we know.",
                params={"value": value[:64]},
            )
        super().validate(value)
