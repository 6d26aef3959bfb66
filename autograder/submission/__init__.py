"""Finding a submission's files and staging them for the sandbox."""
