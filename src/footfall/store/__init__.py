"""Where passages are kept: 1-minute bins in SQLite (default) or PostgreSQL."""
