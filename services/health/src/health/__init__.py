"""Health: the boundary with the NHS."""
