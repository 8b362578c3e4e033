"""RAS: the front door. Registers people; later, needs assessment to points to personal budget."""
