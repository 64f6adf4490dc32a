"""The HTTP API: the vendor actions, their formats and auth."""
