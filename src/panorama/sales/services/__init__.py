"""Every sales write with business meaning, one module per sub-domain."""
