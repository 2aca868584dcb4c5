"""The service lists, one module per sub-domain, declared for the shared list (core/lists/)."""

from .calls import CALLBACKS, CALLS
from .cases import CASES
from .quality import DEFECTS

__all__ = ["CALLBACKS", "CALLS", "CASES", "DEFECTS"]
