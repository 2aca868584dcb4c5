"""Customer pages: lists and search (pages), the ficha and its edit actions (edit)."""
