"""Which segments a customer belongs to, for the catalogue's eligibility rules (price
lists and promotions by segment).

Segments proper belong to ``marketing``, which does not exist yet. Until it does, a
customer's segment codes come from the providers registered here; the built-in one
gives his kind ("person" or "organisation") and the value of his custom field
``segment`` if he has one (e.g. "pymes"). The marketing app adds its own provider from
its ``AppConfig.ready()``::

    from panorama.catalog.segments import segment_provider_register
    segment_provider_register(lambda customer: memberships_of(customer))

and every price list and promotion follows, with no change to the catalogue. Codes are
compared lower-cased.
"""

from collections.abc import Callable, Iterable

from panorama.customers.models import Customer

SegmentProvider = Callable[[Customer], Iterable[str]]


def _from_customer(customer: Customer) -> Iterable[str]:
    yield customer.kind
    segment = (customer.custom_fields or {}).get("segment")
    if isinstance(segment, str) and segment.strip():
        yield segment
    elif isinstance(segment, list):  # a multi-choice custom field
        yield from (s for s in segment if isinstance(s, str))


_providers: list[SegmentProvider] = [_from_customer]


def segment_provider_register(provider: SegmentProvider) -> None:
    """Add a source of segment codes (registering one twice is harmless)."""
    if provider not in _providers:
        _providers.append(provider)


def segment_provider_unregister(provider: SegmentProvider) -> None:
    if provider in _providers and provider is not _from_customer:
        _providers.remove(provider)


def customer_segments(customer: Customer | None) -> frozenset[str]:
    """The segment codes of ``customer`` (none for an anonymous buyer), lower-cased."""
    if customer is None:
        return frozenset()
    return frozenset(
        code.strip().lower() for provider in _providers for code in provider(customer) if code
    )
