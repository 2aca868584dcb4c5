"""Writes of the automation app: rules (``rules``), alerts (``alerts``) and web
tracking (``tracking``)."""
