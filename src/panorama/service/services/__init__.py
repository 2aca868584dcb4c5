"""Every service write with business meaning, one module per sub-domain."""
