"""Loyalty writes: programmes (``programmes``), members and their ledger (``members``),
points from orders (``earning``) and the daily sweeps (``sweeps``)."""
