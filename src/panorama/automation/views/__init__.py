"""The automation app's pages: home and alerts (``alerts``), the rule editor
(``rules``), and the public tracking endpoint (``tracking``)."""
