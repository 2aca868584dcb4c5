"""Customer import: upload, mapping, background run with progress, report, undo."""
