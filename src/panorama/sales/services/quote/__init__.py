"""Quotes: created for a customer, priced line by line through the catalogue's pricing
service, approved when a manual discount goes above the administrators' threshold,
versioned, sent as a PDF by e-mail and accepted by the customer through a signed link
(which places the order and redeems the promotions).

Every write is atomic: a refused line, an expired coupon or a mail server that does not
answer leaves the quote as it was."""

from .common import (
    LANGUAGES,
    SALT,
    LineData,
    approval_threshold,
    needs_approval,
    quote_language,
    quote_threshold,
)
from .editing import (
    quote_create,
    quote_line_add,
    quote_line_preview,
    quote_line_remove,
    quote_line_update,
    quote_new_version,
    quote_update,
)
from .workflow import (
    acceptance_token,
    acceptance_url,
    customer_email,
    quote_accept,
    quote_approve,
    quote_decline,
    quote_from_token,
    quote_reject,
    quote_request_approval,
    quote_send,
    quotes_expire,
    settings_base,
)

__all__ = [
    "LANGUAGES",
    "LineData",
    "SALT",
    "acceptance_token",
    "acceptance_url",
    "approval_threshold",
    "customer_email",
    "needs_approval",
    "quote_accept",
    "quote_approve",
    "quote_create",
    "quote_decline",
    "quote_from_token",
    "quote_language",
    "quote_line_add",
    "quote_line_preview",
    "quote_line_remove",
    "quote_line_update",
    "quote_new_version",
    "quote_reject",
    "quote_request_approval",
    "quote_send",
    "quote_threshold",
    "quote_update",
    "quotes_expire",
    "settings_base",
]
