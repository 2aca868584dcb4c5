import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.accounts.permissions import ensure_can
from panorama.core.bulk import model_attnames, row_defaults, rows_insert
from panorama.core.events import emit, emit_many
from panorama.core.exceptions import ValidationFailed
from panorama.core.validation import rules_for
from panorama.customers.selectors import customer_get

from .models import Interaction

# How far ahead of now a contact may be dated (clocks differ a little).
FUTURE_SLACK = datetime.timedelta(minutes=5)


def related_resolve(*, type_label: str, object_id: str, customer_id: int) -> models.Model:
    """The record named by "app_label.model" and its id, for linking a contact to it.

    It must be a record of this customer: a contact cannot point at another
    customer's records, nor at records that belong to no customer.
    """
    app_label, _dot, model = (type_label or "").strip().lower().partition(".")
    content_type = ContentType.objects.filter(app_label=app_label, model=model).first()
    model_class = content_type.model_class() if content_type else None
    # Only records of a customer (a holding, an opportunity, a case...): anything else
    # would let a caller probe which ids exist elsewhere.
    if model_class is None or "customer_id" not in {
        f.attname for f in model_class._meta.concrete_fields
    }:
        raise ValidationFailed(
            _("%(type)s is not a kind of record a contact can point to.") % {"type": type_label},
            field="related",
        )
    try:
        related = model_class._default_manager.filter(pk=object_id, customer_id=customer_id).first()
    except (ValueError, TypeError, DjangoValidationError):
        related = None
    if related is None:
        raise ValidationFailed(
            _("There is no %(type)s %(id)s of this customer.")
            % {"type": type_label, "id": object_id},
            field="related",
        )
    return related


def _known_values() -> tuple[frozenset[str], frozenset[str]]:
    """The channels and directions a contact may have (``Choices.values`` builds its list
    again at each read)."""
    return frozenset(Interaction.Channel.values), frozenset(Interaction.Direction.values)


def _contact_values(
    *,
    customer_id: int,
    by: User | None,
    channel: str,
    direction: str,
    subject: str,
    body: str = "",
    outcome: str = "",
    agent: User | None = None,
    occurred_at: datetime.datetime | None = None,
    duration_seconds: int | None = None,
    related: models.Model | None = None,
    metadata: dict[str, Any] | None = None,
    failed: bool = False,
    known: tuple[frozenset[str], frozenset[str]] | None = None,
    latest: datetime.datetime | None = None,
) -> dict[str, Any]:
    """The checked columns of one contact, by attname (``ensure_can`` is the caller's).
    ``known``: the channel and direction values, ``latest``: the last moment a contact
    may have happened (now + 5 minutes), both read once for a batch
    (``interactions_record``)."""
    if by is not None:
        customer_get(user=by, customer_id=customer_id)
    if related is not None and getattr(related, "customer_id", customer_id) != customer_id:
        raise ValidationFailed(
            _("There is no %(type)s %(id)s of this customer.")
            % {"type": related._meta.label_lower, "id": related.pk},
            field="related",
        )
    channels, directions = known or _known_values()
    if channel not in channels:
        raise ValidationFailed(_("Unknown channel %(c)s.") % {"c": channel}, field="channel")
    if direction not in directions:
        raise ValidationFailed(_("Unknown direction %(d)s.") % {"d": direction}, field="direction")
    subject = (subject or "").strip()
    if not subject:
        raise ValidationFailed(_("A contact needs a subject."), field="subject")
    if duration_seconds is not None and duration_seconds < 0:
        raise ValidationFailed(_("A duration cannot be negative."), field="duration_seconds")
    if occurred_at is None:
        occurred_at = timezone.now()
    elif occurred_at > (latest or timezone.now() + FUTURE_SLACK):
        raise ValidationFailed(_("A contact cannot happen in the future."), field="occurred_at")
    values = {
        "customer_id": customer_id,
        "channel": channel,
        "direction": direction,
        "subject": subject,
        "body": body or "",
        "outcome": (outcome or "").strip(),
        "agent_id": agent.pk if agent is not None else None,
        "occurred_at": occurred_at,
        "duration_seconds": duration_seconds,
        # What ``GenericForeignKey`` sets for ``related``: its concrete model's type.
        "related_type_id": (
            ContentType.objects.get_for_model(related).pk if related is not None else None
        ),
        "related_id": related.pk if related is not None else None,
        "metadata": metadata or {},
        "failed": failed,
    }
    rules_for(Interaction).check_values(values)
    return values


def _interaction_build(
    *,
    customer_id: int,
    by: User | None,
    channel: str,
    direction: str,
    subject: str,
    body: str = "",
    outcome: str = "",
    agent: User | None = None,
    occurred_at: datetime.datetime | None = None,
    duration_seconds: int | None = None,
    related: models.Model | None = None,
    metadata: dict[str, Any] | None = None,
    failed: bool = False,
) -> Interaction:
    """The checked, unsaved contact (``ensure_can`` is the caller's)."""
    values = _contact_values(
        customer_id=customer_id,
        by=by,
        channel=channel,
        direction=direction,
        subject=subject,
        body=body,
        outcome=outcome,
        agent=agent,
        occurred_at=occurred_at,
        duration_seconds=duration_seconds,
        related=related,
        metadata=metadata,
        failed=failed,
    )
    del values["agent_id"], values["related_type_id"], values["related_id"]
    return Interaction(**values, agent=agent, related=related)


def _recorded(interaction: Interaction, by: User | None) -> dict[str, Any]:
    return {
        "customer_id": interaction.customer_id,
        "interaction_id": interaction.pk,
        "channel": interaction.channel,
        "direction": interaction.direction,
        "by": by.pk if by else None,
    }


def interaction_record(
    *,
    customer_id: int,
    by: User | None,
    channel: str,
    direction: str,
    subject: str,
    body: str = "",
    outcome: str = "",
    agent: User | None = None,
    occurred_at: datetime.datetime | None = None,
    duration_seconds: int | None = None,
    related: models.Model | None = None,
    metadata: dict[str, Any] | None = None,
    failed: bool = False,
) -> Interaction:
    """Put one contact on the customer's timeline. Every app records contacts here.

    ``by`` records it (None: the system, e.g. a channel adapter); ``agent`` is who took
    part, usually the same user. ``by`` must be allowed to record contacts and must see
    the customer (else 404), and ``related`` must be a record of that customer.
    ``failed``: a message that did not go out (``failures.failure_record``).

    Every check comes before the first write, and the writes (the contact and its
    outbox rows) join the caller's transaction without a savepoint of their own (two
    round trips less for each contact an app records; a refusal has written nothing).
    """
    ensure_can(by, "channels.record")
    interaction = _interaction_build(
        customer_id=customer_id,
        by=by,
        channel=channel,
        direction=direction,
        subject=subject,
        body=body,
        outcome=outcome,
        agent=agent,
        occurred_at=occurred_at,
        duration_seconds=duration_seconds,
        related=related,
        metadata=metadata,
        failed=failed,
    )
    with transaction.atomic(savepoint=False):
        interaction.save()
        emit("interaction.recorded", **_recorded(interaction, by))
    return interaction


@transaction.atomic
def interactions_record(*, by: User | None, contacts: list[dict[str, Any]]) -> list[int]:
    """``interaction_record`` for many contacts at once (a campaign's batch): the same
    checks, one INSERT and one bulk ``interaction.recorded``; the new entries' ids, in
    the order of ``contacts``. One invalid contact records none.

    The rows go to the INSERT as plain column values (``core.bulk.rows_insert``): no
    model instance per contact (``Model.__init__`` and the generic relation's setter
    were most of a campaign batch's timeline cost), the same columns stored."""
    ensure_can(by, "channels.record")
    if not contacts:
        return []
    known = _known_values()
    latest = timezone.now() + FUTURE_SLACK
    columns = model_attnames(Interaction)
    blank = row_defaults(Interaction)
    rows = []
    places: list[tuple[int, str]] = []  # each checked value's column (the same for all)
    for contact in contacts:
        values = _contact_values(by=by, known=known, latest=latest, **contact)
        places = places or [(columns.index(name), name) for name in values]
        row = list(blank)
        for position, name in places:
            row[position] = values[name]
        rows.append(row)
    ids = rows_insert(Interaction, rows)
    by_id = by.pk if by else None
    customer, channel, direction = (
        columns.index(n) for n in ("customer_id", "channel", "direction")
    )
    emit_many(
        "interaction.recorded",
        [
            {
                "customer_id": row[customer],
                "interaction_id": pk,
                "channel": row[channel],
                "direction": row[direction],
                "by": by_id,
            }
            for pk, row in zip(ids, rows, strict=True)
        ],
    )
    return ids


@transaction.atomic
def interaction_metadata_merge(*, interaction_id: int, values: dict[str, Any]) -> None:
    """Add or replace keys of a contact's metadata, as the app that recorded it learns
    more (the files a case reply carried, and later which were removed). A write by the
    system on a record an app already owns: no permission of its own."""
    interaction = Interaction.objects.select_for_update().filter(pk=interaction_id).first()
    if interaction is None:
        return
    interaction.metadata = {**(interaction.metadata or {}), **values}
    interaction.save(update_fields=["metadata"])
