"""Every write to the catalogue; one module per sub-domain."""
