"""Exit 0 when the PostgreSQL server of DATABASE_URL answers, 1 otherwise."""

import sys

import psycopg

url = sys.argv[1]
if not url.startswith(("postgres://", "postgresql://")):
    sys.exit(1)
# Connect to the maintenance database: the test run creates its own.
base = url.rsplit("/", 1)[0] + "/postgres"
try:
    psycopg.connect(base, connect_timeout=3).close()
except psycopg.Error:
    sys.exit(1)
