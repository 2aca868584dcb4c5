"""Writes of the duplicate workflow: the scan and the merge."""
