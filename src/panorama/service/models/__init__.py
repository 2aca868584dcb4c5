"""The service models, one module per sub-domain (Django registers them all with ``service``)."""

from .case import Case, CaseMessage, Queue, QueueMember

__all__ = ["Case", "CaseMessage", "Queue", "QueueMember"]
