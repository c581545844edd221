"""A week-1 quiz of the matrix term (Fall 2022, America/Los_Angeles) with three kinds of question.

Due on the term's date: six days after Mon 26 Sep 2022, the end of Sun 2 Oct in Los Angeles,
07:00 UTC on 3 Oct.
"""

import datetime as dt

import pytest

from cohortkit.quizzes.tests.factories import (
    choice_question,
    numeric_question,
    quiz_in,
    text_question,
)

TERM_DUE = dt.datetime(2022, 10, 3, 7, 0, tzinfo=dt.UTC)
BEFORE_DUE = TERM_DUE - dt.timedelta(hours=1)


@pytest.fixture
def quiz(term):
    return quiz_in(term, title="Robustness check", max_attempts=2)


@pytest.fixture
def questions(quiz):
    return {
        "loss": numeric_question(quiz, ("-0.25", "0.01", "absolute"), prompt="The loss change?"),
        "activation": choice_question(quiz, [("Sigmoid", False), ("ReLU", True)]),
        "optimizer": text_question(quiz, [("Adam", False)]),
    }
