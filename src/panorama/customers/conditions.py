"""Labels of the conditions a holding carries (its contract's terms), for people.

A holding's ``conditions`` is free JSON (``{"roadside_assistance": true}``); the ficha
shows each key with a translated label and each value in the reader's format. Keys not
listed here are shown with their underscores turned into spaces.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

LABELS = {
    "apr": gettext_lazy("APR (%)"),
    "capital": gettext_lazy("Insured capital"),
    "cashback": gettext_lazy("Cashback (%)"),
    "chat": gettext_lazy("Chat"),
    "content_cover": gettext_lazy("Contents cover"),
    "copayment": gettext_lazy("Co-payment"),
    "coverage": gettext_lazy("Coverage"),
    "credit_limit": gettext_lazy("Credit limit"),
    "daily_limit": gettext_lazy("Daily limit"),
    "data_gb": gettext_lazy("Data (GB)"),
    "dental": gettext_lazy("Dental cover"),
    "email": gettext_lazy("E-mail"),
    "excess": gettext_lazy("Excess"),
    "in_person": gettext_lazy("In person"),
    "index": gettext_lazy("Reference index"),
    "interest_rate": gettext_lazy("Interest rate (%)"),
    "isin": gettext_lazy("ISIN"),
    "maintenance_fee": gettext_lazy("Maintenance fee"),
    "minutes": gettext_lazy("Minutes"),
    "note": gettext_lazy("Note"),
    "permanence_months": gettext_lazy("Minimum stay (months)"),
    "phone": gettext_lazy("Phone"),
    "portal": gettext_lazy("Portal"),
    "principal": gettext_lazy("Principal"),
    "rate": gettext_lazy("Rate (%)"),
    "requires_payroll": gettext_lazy("Requires payroll"),
    "risk": gettext_lazy("Risk profile"),
    "roadside_assistance": gettext_lazy("Roadside assistance"),
    "roaming": gettext_lazy("Roaming"),
    "router": gettext_lazy("Router"),
    "sms": gettext_lazy("SMS"),
    "speed_mbps": gettext_lazy("Speed (Mbps)"),
    "spread": gettext_lazy("Spread (%)"),
    "ter": gettext_lazy("Total expense ratio (%)"),
    "term_months": gettext_lazy("Term (months)"),
    "term_years": gettext_lazy("Term (years)"),
    "tv_channels": gettext_lazy("TV channels"),
    "type": gettext_lazy("Type"),
    "web": gettext_lazy("Web"),
}

WORDS = {
    "unlimited": gettext_lazy("unlimited"),
    "fixed": gettext_lazy("fixed"),
    "variable": gettext_lazy("variable"),
}


def condition_label(key: str) -> str:
    label = LABELS.get(key)
    return str(label) if label else key.replace("_", " ").capitalize()


def condition_value(value: object) -> object:
    """True/False → Yes/No, known words translated; numbers are left to the template."""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, str) and value in WORDS:
        return str(WORDS[value])
    return value
