"""Everything a person or a program reads, rendered from the one result model."""
