"""Platform code every service runs. No business rules live here."""
