"""For course authors: what `validate` reads (mutants, variants) and how it checks a course."""
