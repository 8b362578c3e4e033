"""Health adapters: tables and repositories."""
