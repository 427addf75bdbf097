"""The `studio` command line (no Qt)."""
