"""The catalogue's pages; one module per screen family."""
