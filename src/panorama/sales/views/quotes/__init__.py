"""Quote pages (``pages``) and the quote page's editing forms (``editing``)."""

from .editing import (
    quote_line_add,
    quote_line_check,
    quote_line_options,
    quote_line_remove,
    quote_line_update,
    quote_terms,
)
from .pages import (
    QUOTES,
    quote_accept,
    quote_decide,
    quote_detail,
    quote_list,
    quote_new,
    quote_pdf_download,
    quote_request_approval,
    quote_send,
    quote_version,
)

__all__ = [
    "QUOTES",
    "quote_accept",
    "quote_decide",
    "quote_detail",
    "quote_list",
    "quote_line_add",
    "quote_line_check",
    "quote_line_options",
    "quote_line_remove",
    "quote_line_update",
    "quote_new",
    "quote_pdf_download",
    "quote_request_approval",
    "quote_send",
    "quote_terms",
    "quote_version",
]
