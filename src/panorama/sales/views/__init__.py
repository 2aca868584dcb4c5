"""The sales pages, one module per sub-domain (``views/<sub-domain>.py``), wired in
``sales/urls.py``."""
