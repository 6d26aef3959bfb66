"""Grades sent to the tools and systems a course already uses, rendered from results."""
