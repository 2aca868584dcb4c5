# English times on a 24-hour clock, as in the rest of Europe where Panorama's users are:
# Django's "3:05 p.m." put a second full stop after any sentence ending in a time.
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "N j, Y, H:i"
SHORT_DATETIME_FORMAT = "m/d/Y H:i"
