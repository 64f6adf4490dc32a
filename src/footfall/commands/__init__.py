"""One module per CLI command; each defines one typer-annotated function."""
