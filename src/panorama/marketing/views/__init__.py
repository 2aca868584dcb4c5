"""Marketing pages: segments and lists, message templates, campaigns, and the public
links a recipient follows (unsubscribe, open pixel, tracked links)."""
