"""Duplicate customers: the scan, review, merge and undo of a merge."""
