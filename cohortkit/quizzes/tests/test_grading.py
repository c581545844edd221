"""The quiz comparisons: one table of answers against keys, graded by the pure grading module.

How text becomes a number is the shared rule's table (common/tests/test_numbers.py); this table
is what quizzes add: tolerances, several accepted answers, choices and short text.
"""

from decimal import Decimal

import pytest

from cohortkit.quizzes.grading import (
    NO_ANSWER,
    NOT_A_CHOICE,
    NumberKey,
    QuestionKey,
    TextKey,
    grade,
    number_matches,
)


def numbers(*keys: tuple[str, str, str]) -> QuestionKey:
    return QuestionKey(
        kind="numeric",
        points=2,
        numbers=tuple(NumberKey(Decimal(v), Decimal(t), kind) for v, t, kind in keys),
    )


def texts(*keys: tuple[str, bool]) -> QuestionKey:
    return QuestionKey(kind="short_text", points=2, texts=tuple(TextKey(t, c) for t, c in keys))


QUARTER = numbers(("-0.25", "0", "absolute"))
MINUS_1500 = numbers(("-1500", "0", "absolute"))
PI = numbers(("3.14", "0.01", "absolute"))
HUNDRED = numbers(("100", "0.01", "relative"))
MINUS_HUNDRED = numbers(("-100", "0.01", "relative"))
ZERO_RELATIVE = numbers(("0", "0.5", "relative"))
GRAVITY = numbers(("9.8", "0.1", "absolute"), ("32", "0.5", "absolute"))  # m/s² or ft/s²
THOUSAND = numbers(("1000", "0", "absolute"))
BIG = numbers(("123456789012345", "0", "absolute"))
CHOICES = QuestionKey(
    kind="multiple_choice", points=2, choice_ids=(7, 8, 9), correct_choice_ids=(8,)
)
RELU = texts(("ReLU", True))
DESCENT = texts(("gradient descent", False), ("SGD", True))
CAFE = texts(("café", False))

CASES = [
    # question, raw answer, term's format, right?, feedback
    (QUARTER, "-0.25", "point", True, ""),
    (QUARTER, "−0.25", "point", True, ""),  # Unicode minus, as pasted from a document
    (QUARTER, "-0,25", "comma", True, ""),
    (QUARTER, "−,25", "comma", True, ""),
    (QUARTER, "-2.5E-1", "point", True, ""),
    (QUARTER, "0.25", "point", False, ""),  # the sign matters
    (MINUS_1500, "−1,5e3", "comma", True, ""),
    (MINUS_1500, "-1.5e3", "point", True, ""),
    (MINUS_1500, "-1,500", "point", True, ""),  # thousands separator under point
    (MINUS_1500, "-1.500", "comma", True, ""),
    (MINUS_1500, "1500", "point", False, ""),
    (PI, "3.15", "point", True, ""),  # exactly at the tolerance: Decimal, not float
    (PI, "3.13", "point", True, ""),
    (PI, "3.1500000001", "point", False, ""),
    (PI, "3,14", "comma", True, ""),
    (HUNDRED, "101", "point", True, ""),  # within 1 % of 100
    (HUNDRED, "99", "point", True, ""),
    (HUNDRED, "101.01", "point", False, ""),
    (MINUS_HUNDRED, "-101", "point", True, ""),  # relative to |v|
    (MINUS_HUNDRED, "-98.9", "point", False, ""),
    (MINUS_HUNDRED, "101", "point", False, ""),
    (ZERO_RELATIVE, "0", "point", True, ""),  # relative to 0 is exactly 0
    (ZERO_RELATIVE, "0.0000000001", "point", False, ""),
    (GRAVITY, "9.75", "point", True, ""),  # several accepted answers, each its own tolerance
    (GRAVITY, "32.4", "point", True, ""),
    (GRAVITY, "10", "point", False, ""),  # 0.2 from 9.8; within 0.5 only of nothing
    (THOUSAND, "1,000", "point", True, ""),
    (THOUSAND, "1.000", "comma", True, ""),
    (THOUSAND, "1,000", "comma", False, ""),  # one, under the comma format
    (BIG, "123456789012345.0000000001", "point", False, ""),  # no rounding at 25 digits
    (BIG, "1.23456789012345e14", "point", True, ""),
    # Unreadable numbers are wrong, and the number rule's message is the feedback.
    (PI, "3,14", "point", False, "Use a point for decimals, for example 3.14."),
    (PI, "3.14", "comma", False, "Use a comma for decimals, for example 3,14."),
    (PI, "pi", "point", False, "Enter a number, for example -1,234.5 or -1.5e3."),
    (PI, "1e400", "point", False, "That number is too large; numbers must be smaller than 10^15."),
    (PI, "", "point", False, NO_ANSWER),
    (PI, "   ", "point", False, NO_ANSWER),
    # Multiple choice: the raw answer is the chosen choice's id.
    (CHOICES, "8", "point", True, ""),
    (CHOICES, "7", "point", False, ""),
    (CHOICES, "42", "point", False, NOT_A_CHOICE),
    (CHOICES, "eight", "point", False, NOT_A_CHOICE),
    (CHOICES, "", "point", False, NO_ANSWER),
    # Short text: trimmed, Unicode NFC, case as the accepted text says.
    (RELU, "ReLU", "point", True, ""),
    (RELU, "  ReLU\n", "point", True, ""),
    (RELU, "relu", "point", False, ""),
    (DESCENT, "Gradient Descent", "point", True, ""),
    (DESCENT, "gradient  descent", "point", False, ""),  # exact apart from the ends
    (DESCENT, "SGD", "point", True, ""),
    (DESCENT, "sgd", "point", False, ""),
    (CAFE, "cafe\u0301", "point", True, ""),  # e + combining accent is é
    (CAFE, "CAFÉ", "point", True, ""),
]


@pytest.mark.parametrize(("question", "raw", "number_format", "right", "feedback"), CASES)
def test_grading_table(question, raw, number_format, right, feedback):
    graded = grade(question, raw, number_format=number_format)

    assert (graded.correct, graded.feedback) == (right, feedback)
    assert graded.points == (question.points if right else 0)


def test_the_parsed_number_and_chosen_choice_are_kept():
    assert grade(MINUS_1500, "−1,5e3", number_format="comma").parsed_number == Decimal("-1500")
    assert grade(PI, "3,14", number_format="point").parsed_number is None
    assert grade(CHOICES, " 9 ").choice_id == 9


def test_relative_tolerance_is_computed_without_rounding():
    key = NumberKey(Decimal("999999999999999.9999999999"), Decimal("0.0000000001"), "relative")
    just_inside = Decimal("999999999999999.9999999999") + Decimal("99999.9999999999")

    assert number_matches(just_inside, key)
    assert not number_matches(just_inside + Decimal("0.0000000002"), key)
