"""Domain errors: raised by services and selectors, mapped to HTTP answers in one place.

A service never returns an error code; it raises one of these with a translatable
message (and, where a field is at fault, the field's name), and the API's exception
handler and the HTML views turn it into a 4xx answer or a form error.
"""

from typing import Any


class DomainError(Exception):
    status_code = 400
    code = "invalid"

    def __init__(self, message: Any, *, field: str | None = None, errors: dict | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field
        self.errors = errors or ({field: [str(message)]} if field else {})


class ValidationFailed(DomainError):
    status_code = 422
    code = "validation_error"


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class PermissionDenied(DomainError):
    status_code = 403
    code = "forbidden"


class Conflict(DomainError):
    status_code = 409
    code = "conflict"
