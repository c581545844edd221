"""Coursework: the weekly work: submissions and their feedback, items done, due dates, reminders
and the organizers' term overview (attendance, homework, people at risk)."""
