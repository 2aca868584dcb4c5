"""``panorama analytics clv|rfm|churn|basket|forecast`` — run the models, print results.

    panorama analytics clv --calibration-end 1997-09-30 [--period week|day] --json
    panorama analytics rfm [--as-of YYYY-MM-DD] --json
    panorama analytics churn [--as-of YYYY-MM-DD] [--horizon-days 90] --json
    panorama analytics basket --min-support 0.01 --min-confidence 0.2 --json
    panorama analytics forecast [--months 12] --json
    panorama analytics cluster [--as-of YYYY-MM-DD] [--k 2..8] --json

Scores are written back to the customers (the ficha's scores panel) unless
``--no-write``. See docs/analytics.md for the models and their conventions.
"""

import datetime
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.core.exceptions import DomainError

from ...mining.reports import PERIODS
from ...services.runs import (
    basket_run,
    churn_run,
    cluster_run,
    clv_run,
    forecast_run,
    rfm_run,
)


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(_("%(v)s is not an ISO date (YYYY-MM-DD).") % {"v": text}) from None


class Command(BaseCommand):
    help = (
        "Run the data-mining models (clv, rfm, churn, basket, forecast, cluster) and print results."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="model", required=True)
        clv = sub.add_parser("clv", help="BG/NBD, Pareto/NBD, Gamma-Gamma, BG/BB and CLV")
        clv.add_argument("--calibration-end", required=True, help="YYYY-MM-DD")
        clv.add_argument("--observation-end", default="", help="YYYY-MM-DD (holdout end)")
        clv.add_argument("--period", default="week", choices=PERIODS)
        clv.add_argument("--discount-rate", type=float, default=0.10, help="Annual, e.g. 0.10")
        rfm = sub.add_parser("rfm", help="RFM scores and named segments")
        rfm.add_argument("--as-of", default="", help="YYYY-MM-DD (default: last purchase)")
        churn = sub.add_parser("churn", help="Churn propensity (calibrated, cross-validated)")
        churn.add_argument("--as-of", default="", help="YYYY-MM-DD (default: last purchase)")
        churn.add_argument("--horizon-days", type=int, default=90)
        basket = sub.add_parser("basket", help="Association rules and next best offers")
        basket.add_argument("--min-support", type=float, default=0.01)
        basket.add_argument("--min-confidence", type=float, default=0.2)
        forecast = sub.add_parser("forecast", help="Monthly orders and revenue (SARIMAX)")
        forecast.add_argument("--months", type=int, default=12)
        cluster = sub.add_parser("cluster", help="k-means clusters on RFM, CLV and tenure")
        cluster.add_argument("--as-of", default="", help="YYYY-MM-DD (default: last purchase)")
        cluster.add_argument("--k", type=int, default=None, help="Groups (default: silhouette)")
        for p in (clv, rfm, churn, basket, forecast, cluster):
            p.add_argument("--json", action="store_true", help="Print JSON")
            p.add_argument("--no-write", action="store_true", help="Do not write scores back")
            p.add_argument("--user", default="", help="Username the run is made as")

    def handle(self, *args, model, **options):
        by = None
        if options["user"]:
            by = User.objects.filter(username=options["user"], is_active=True).first()
            if by is None:
                raise CommandError(_("There is no active user %(u)s.") % {"u": options["user"]})
        write = not options["no_write"]
        try:
            if model == "clv":
                report = clv_run(
                    by=by,
                    calibration_end=_date(options["calibration_end"]),
                    observation_end=(
                        _date(options["observation_end"]) if options["observation_end"] else None
                    ),
                    period=options["period"],
                    discount_rate=options["discount_rate"],
                    write=write,
                )
            elif model == "rfm":
                as_of = _date(options["as_of"]) if options["as_of"] else None
                report = rfm_run(by=by, as_of=as_of, write=write)
            elif model == "churn":
                as_of = _date(options["as_of"]) if options["as_of"] else None
                report = churn_run(
                    by=by, as_of=as_of, horizon_days=options["horizon_days"], write=write
                )
            elif model == "basket":
                report = basket_run(
                    by=by,
                    min_support=options["min_support"],
                    min_confidence=options["min_confidence"],
                    write=write,
                )
            elif model == "cluster":
                as_of = _date(options["as_of"]) if options["as_of"] else None
                report = cluster_run(by=by, as_of=as_of, k=options["k"], write=write)
            else:
                report = forecast_run(by=by, months=options["months"])
        except DomainError as exc:
            raise CommandError(str(exc.message)) from None
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False))
        else:
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
