"""RAS adapters: tables and repositories."""
