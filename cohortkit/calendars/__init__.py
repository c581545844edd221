"""Calendars: each person's iCalendar feed of meetings and deadlines, and its secret link."""
