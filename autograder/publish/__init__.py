"""Sending grades to an LMS over its API: Canvas's REST API and LTI 1.3 Assignment and Grade Services."""
