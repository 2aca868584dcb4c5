"""The service pages. Each sub-domain has its own module (cases, calls...)."""
