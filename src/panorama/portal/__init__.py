"""The customer's self-service web: sign-in by e-mailed link, his cases, banners, FAQ."""
