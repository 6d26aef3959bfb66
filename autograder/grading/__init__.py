"""Running the graders (ordinary pytest modules) against one sandboxed submission."""
