"""The number rule: how a person's typed number becomes a ``Decimal``, for every form and quiz.

One rule, used by application questions and quiz answers alike, so ``-3`` means the same
everywhere. What it accepts, in a term whose number format is ``point`` (1,234.5) or ``comma``
(1.234,5):

* an optional sign: ``+``, ``-`` or the Unicode minus ``−`` (as pasted from documents);
* digits with the format's decimal mark: ``3.14`` (point) or ``3,14`` (comma); ``.5`` is 0.5;
* thousands separators, by **one rule**: the format's *other* mark (``,`` for point, ``.`` for
  comma) or a space is a thousands separator only between groups of exactly three digits after a
  first group of one to three, like ``1,234,567``. So under ``point``, ``1,000`` is one thousand
  and ``1.000`` is one; under ``comma``, ``1.000`` is one thousand and ``1,000`` is one. Anything
  else with that mark (``3,14`` under ``point``) is refused with an example, never guessed;
* scientific notation: ``-1.5e3``, ``2E-4``;
* spaces around the number.

Refused, with a message that shows an accepted example: empty text, letters, ``--3``, ``1e400``
and other numbers beyond ±10^15, more than 10 decimal places, ``NaN`` and ``Infinity``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

MAX_MAGNITUDE = Decimal(10) ** 15
MAX_DECIMAL_PLACES = 10

_MINUS_SIGNS = {"\u2212": "-", "\ufe63": "-", "\uff0d": "-"}
_SPACES = ("\u00a0", "\u202f", "\u2009", " ")


@dataclass(frozen=True)
class NumberFormat:
    name: str
    decimal_mark: str
    group_mark: str
    example: str


POINT = NumberFormat("point", ".", ",", "-1,234.5")
COMMA = NumberFormat("comma", ",", ".", "-1.234,5")
NUMBER_FORMATS = {POINT.name: POINT, COMMA.name: COMMA}


class NumberError(ValueError):
    """The text is not a number under the rule; the message tells the person what would be."""


def _pattern(number_format: NumberFormat) -> re.Pattern[str]:
    decimal = re.escape(number_format.decimal_mark)
    group = re.escape(number_format.group_mark)
    return re.compile(
        rf"""
        (?P<sign>[+-])?
        (?:
            (?P<grouped>\d{{1,3}}(?:(?P<separator>{group}|\ )\d{{3}})(?:(?P=separator)\d{{3}})*)
          | (?P<plain>\d+)
        )?
        (?:{decimal}(?P<fraction>\d+))?
        (?:[eE](?P<exponent>[+-]?\d{{1,4}}))?
        """,
        re.VERBOSE | re.ASCII,
    )


_PATTERNS = {name: _pattern(number_format) for name, number_format in NUMBER_FORMATS.items()}


def parse_number(text: str, *, number_format: str = POINT.name) -> Decimal:
    """Read ``text`` as a number under the rule above, or raise ``NumberError``."""
    fmt = NUMBER_FORMATS[number_format]
    hint = (
        f"Enter a number, for example {fmt.example} or -1.5e3."
        if fmt is POINT
        else (f"Enter a number, for example {fmt.example} or -1,5e3.")
    )
    cleaned = text.strip()
    for space in _SPACES[:-1]:
        cleaned = cleaned.replace(space, " ")
    for minus, ascii_minus in _MINUS_SIGNS.items():
        cleaned = cleaned.replace(minus, ascii_minus)
    if not cleaned:
        raise NumberError(hint)
    match = _PATTERNS[fmt.name].fullmatch(cleaned)
    if match is None or not (match["grouped"] or match["plain"] or match["fraction"]):
        if fmt is POINT and re.fullmatch(r"[+-]?[0-9]+,[0-9]+", cleaned):
            raise NumberError(f"Use a point for decimals, for example {cleaned.replace(',', '.')}.")
        if fmt is COMMA and re.fullmatch(r"[+-]?[0-9]+\.[0-9]+", cleaned):
            raise NumberError(f"Use a comma for decimals, for example {cleaned.replace('.', ',')}.")
        raise NumberError(hint)
    integer_part = match["grouped"] or match["plain"] or "0"
    digits = re.sub(r"\D", "", integer_part)
    literal = f"{match['sign'] or ''}{digits}"
    if match["fraction"]:
        literal += f".{match['fraction']}"
    if match["exponent"]:
        literal += f"e{match['exponent']}"
    try:
        value = Decimal(literal)
    except InvalidOperation as error:  # the pattern admits only digits; kept as a safety net
        raise NumberError(hint) from error
    if abs(value) >= MAX_MAGNITUDE:
        raise NumberError("That number is too large; numbers must be smaller than 10^15.")
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -MAX_DECIMAL_PLACES:
        raise NumberError(f"Use at most {MAX_DECIMAL_PLACES} decimal places.")
    return value


def format_number(value: Decimal, *, number_format: str = POINT.name) -> str:
    """A ``Decimal`` written back the way the format reads it (no thousands separators)."""
    text = format(value.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in {"-0", ""}:
        text = "0"
    return text.replace(".", NUMBER_FORMATS[number_format].decimal_mark)
