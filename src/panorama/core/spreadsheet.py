"""Text a spreadsheet shows and never runs: every file a user downloads (the customer
export, the import's error file, the warehouse tables, a list's bulk export) writes its
cells through ``csv_cell_safe``."""

# A cell Excel or LibreOffice would run as a formula; a phone such as +34600112233 is not.
_FORMULA_START = ("=", "@", "\t", "\r")


def csv_cell_safe(value: object) -> str:
    """``value`` as CSV text a spreadsheet shows, never runs: a cell that would start a
    formula gets a leading apostrophe. Every CSV a user downloads goes through it."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START) or (
        text[:1] in ("+", "-") and not text[1:].replace(" ", "").isdigit()
    ):
        return "'" + text
    return text
