"""Synthetic data for the demo, the bench and load tests (``panorama seed`` / ``demo``).

A development tool: it writes across ``accounts``, ``customers`` and ``channels``
directly (bulk inserts, no per-row services). It is an installed app only so that its
commands live here; nothing imports it except those commands and the bench.
"""
