"""Writes on customers. Import from the sub-module that owns the write."""
