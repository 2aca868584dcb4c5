"""Loyalty programmes: cards, points, tiers, rewards, expiry and statements."""
