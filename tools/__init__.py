"""Repository tooling: the service list, the local stack, generated docs."""
