"""``panorama bench``: seed a separate database, serve it with the production server and
measure the core loop through real HTTP. A tool, not a test: it prints figures and never
asserts them."""
