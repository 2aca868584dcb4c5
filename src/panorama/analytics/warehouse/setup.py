"""What the analytics app's ``ready()`` wires for the warehouse."""


def ready() -> None:
    from . import tasks  # noqa: F401  (the scheduled refresh)
    from .permissions import register_all

    register_all()
