"""The one table of cases for the number rule shared by applications and quizzes."""

from decimal import Decimal

import pytest

from cohortkit.common.numbers import NumberError, format_number, parse_number

ACCEPTED = [
    # text, format, value
    ("-3", "point", "-3"),
    ("−3", "point", "-3"),  # Unicode minus sign
    ("+4", "point", "4"),
    ("-1.5e3", "point", "-1500"),
    ("-1,5e3", "comma", "-1500"),
    ("2E-4", "point", "0.0002"),
    ("3,14", "comma", "3.14"),
    ("3.14", "point", "3.14"),
    ("1,000", "point", "1000"),
    ("1.000", "point", "1"),
    ("1.000", "comma", "1000"),
    ("1,000", "comma", "1"),
    ("1,234,567.25", "point", "1234567.25"),
    ("1.234.567,25", "comma", "1234567.25"),
    ("1 234 567", "point", "1234567"),
    ("1\u00a0234,5", "comma", "1234.5"),
    ("  7 ", "point", "7"),
    (".5", "point", "0.5"),
    ("-0", "point", "0"),
    ("0.0000000001", "point", "0.0000000001"),
    # Quiz answers (cohortkit/quizzes): negative decimals and exponents in both formats.
    ("-0.25", "point", "-0.25"),
    ("−,25", "comma", "-0.25"),
    ("−1,5e3", "comma", "-1500"),
    ("-2.5E-1", "point", "-0.25"),
    ("1.5e+3", "point", "1500"),
]

REFUSED = [
    # text, format, part of the message
    ("", "point", "for example -1,234.5"),
    ("   ", "point", "for example -1,234.5"),
    ("abc", "point", "for example -1,234.5"),
    ("1e400", "point", "too large"),
    ("1e15", "point", "too large"),
    ("--3", "point", "for example"),
    ("3,14", "point", "Use a point for decimals, for example 3.14"),
    ("3.14", "comma", "Use a comma for decimals, for example 3,14"),
    ("1,00", "point", "for example"),
    ("1,000.000,5", "point", "for example"),
    ("1,0000", "point", "for example"),
    ("NaN", "point", "for example"),
    ("Infinity", "point", "for example"),
    ("1e", "point", "for example"),
    ("0x1F", "point", "for example"),
    ("1.2.3", "point", "for example"),
    ("1,000 000", "point", "for example"),  # two different separators
    ("0.00000000001", "point", "at most 10 decimal places"),
    ("-", "point", "for example"),
    ("٣", "point", "for example"),  # digits of other scripts are not guessed at
]


@pytest.mark.parametrize(("text", "number_format", "value"), ACCEPTED)
def test_accepted(text, number_format, value):
    assert parse_number(text, number_format=number_format) == Decimal(value)


@pytest.mark.parametrize(("text", "number_format", "message"), REFUSED)
def test_refused_with_an_example(text, number_format, message):
    with pytest.raises(NumberError, match=message.replace(".", r"\.").replace("^", r"\^")):
        parse_number(text, number_format=number_format)


@pytest.mark.parametrize(
    ("value", "number_format", "text"),
    [("-1500", "point", "-1500"), ("3.14", "comma", "3,14"), ("0.00", "point", "0")],
)
def test_format_number_reads_back(value, number_format, text):
    assert format_number(Decimal(value), number_format=number_format) == text
    assert parse_number(text, number_format=number_format) == Decimal(value)
