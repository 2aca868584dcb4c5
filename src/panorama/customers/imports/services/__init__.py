"""Writes of the import workflow, one module per stage."""
