"""Quizzes: a week's quiz, its questions, attempts, grading and the feedback a participant sees."""
