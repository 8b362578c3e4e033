"""Health use cases and event handlers."""
