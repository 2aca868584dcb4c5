"""The sales lists, one module per sub-domain, declared for the shared list (core/lists.py)."""
