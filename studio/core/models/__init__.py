"""Model files on disk: what each one is (kind, family), where installs keep them, their hashes."""
