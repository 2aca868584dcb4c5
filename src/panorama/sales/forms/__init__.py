"""HTML forms of the sales pages, one module per sub-domain: they only parse input."""
