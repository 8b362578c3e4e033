"""Each service's own copy of the people RAS registers, kept from person events."""
