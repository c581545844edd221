"""Admissions routes of the JSON API: applying, reviewing and deciding (one router each)."""
