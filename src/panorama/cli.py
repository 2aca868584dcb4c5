"""The ``panorama`` console command: Django's management commands, with a few aliases.

panorama demo | serve | seed --customers N --seed S | bench
panorama import customers FILE.csv   (→ import_customers)
panorama import orders FILE.csv      (→ import_orders)
panorama analytics clv|rfm --json    (data mining, see docs/analytics.md)
panorama token create USERNAME       (→ token create)
panorama <any Django command>        (migrate, createsuperuser, shell, ...)
"""

import os
import sys

ALIASES = {
    ("import", "customers"): ["import_customers"],
    ("import", "orders"): ["import_orders"],
}


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "panorama.config.settings.base")
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) >= 2 and (args[0], args[1]) in ALIASES:
        args = ALIASES[(args[0], args[1])] + args[2:]
    from django.core.management import execute_from_command_line

    execute_from_command_line(["panorama", *args])


if __name__ == "__main__":
    main()
