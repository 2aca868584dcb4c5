"""Members and their ledger: enrolment (a card that is also an identity), redeeming a
reward, adjusting by hand, and the one place a movement is written (``movement_post``),
which keeps the balance from going below zero whatever runs at the same time."""

import secrets

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.accounts.permissions import ensure_can
from panorama.channels.models import Interaction
from panorama.channels.services import interaction_record
from panorama.core.events import emit
from panorama.core.exceptions import Conflict, ValidationFailed
from panorama.customers.models import Identity
from panorama.customers.selectors import customer_get
from panorama.customers.services.customer import IdentityData, identity_add

from .. import selectors
from ..models import Membership, Movement, Programme, Reward, Tier

CARD_PREFIX = "7"  # the programme's card range; 16 digits with the check digit
CARD_LENGTH = 16
MAX_ADJUST = 1_000_000


def luhn_digit(payload: str) -> str:
    """The Luhn check digit of ``payload`` (the one card terminals verify)."""
    total = 0
    for n, char in enumerate(reversed(payload)):
        digit = int(char)
        if n % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return str((10 - total % 10) % 10)


def card_valid(number: str) -> bool:
    return number.isdigit() and len(number) >= 2 and luhn_digit(number[:-1]) == number[-1]


def card_number_new() -> str:
    """A new card number nobody has: prefix, random digits, check digit."""
    for _attempt in range(20):
        body = CARD_PREFIX + "".join(secrets.choice("0123456789") for _n in range(CARD_LENGTH - 2))
        number = body + luhn_digit(body)
        if not Membership.objects.filter(card_number=number).exists():
            return number
    raise Conflict(_("No free card number was found; try again."))  # pragma: no cover


@transaction.atomic
def member_enrol(*, by: User | None, programme_id: int, customer_id: int) -> Membership:
    """Enrol a customer: one membership per programme, a new card whose number is also
    an identity of the customer (so ``identify`` finds him by it)."""
    ensure_can(by, "loyalty.operate")
    customer = customer_get(user=by, customer_id=customer_id)
    programme = Programme.objects.filter(pk=programme_id).first()
    if programme is None or not programme.active:
        raise ValidationFailed(
            _("There is no active loyalty programme %(id)s.") % {"id": programme_id},
            field="programme_id",
        )
    if Membership.objects.filter(programme=programme, customer=customer).exists():
        raise Conflict(
            _("%(customer)s is already a member of %(programme)s.")
            % {"customer": customer.display_name, "programme": programme.name},
            field="programme_id",
        )
    membership = Membership.objects.create(
        programme=programme,
        customer=customer,
        card_number=card_number_new(),
        tier=programme.tiers.filter(threshold=0).first(),
        enrolled_by=by,
    )
    # The system files the identity: enrolling is this permission's, not customers.edit.
    identity_add(
        customer=customer,
        item=IdentityData(
            kind=Identity.Kind.LOYALTY_CARD,
            value=membership.card_number,
            label=programme.name[:40],
        ),
        by=None,
    )
    _timeline(
        membership,
        by=by,
        subject=_("Joined %(programme)s, card %(card)s")
        % {"programme": programme.name, "card": membership.card_number},
        related=membership,
    )
    emit(
        "loyalty.member_enrolled",
        membership_id=membership.pk,
        programme_id=programme.pk,
        customer_id=customer.pk,
        card_number=membership.card_number,
        by=by.pk if by else None,
    )
    return membership


def _timeline(membership: Membership, *, by: User | None, subject: str, related) -> None:
    """A note on the customer's timeline (the service already checked the scope; the
    system records it, ``by`` took part)."""
    interaction_record(
        customer_id=membership.customer_id,
        by=None,
        agent=by,
        channel=Interaction.Channel.NOTE,
        direction=Interaction.Direction.INTERNAL,
        subject=subject[:255],
        related=related,
    )


def movement_post(
    *,
    membership: Membership,
    kind: str,
    points: int,
    by: User | None = None,
    order_id: int | None = None,
    reward: Reward | None = None,
    reason: str = "",
) -> Movement:
    """Append one movement and move the balance with it, in the caller's transaction.

    A debit is one conditional UPDATE (``balance >= points``): two redemptions at the
    same time cannot both spend the same points; the loser gets the clear error."""
    if points < 0:
        moved = Membership.objects.filter(pk=membership.pk, balance__gte=-points).update(
            balance=F("balance") + points
        )
        if not moved:
            raise ValidationFailed(
                _("Not enough %(name)s: the balance is %(balance)s, %(points)s are needed.")
                % {
                    "name": membership.programme.points_name,
                    "balance": Membership.objects.get(pk=membership.pk).balance,
                    "points": -points,
                },
                field="points",
            )
    else:
        Membership.objects.filter(pk=membership.pk).update(balance=F("balance") + points)
    membership.balance = Membership.objects.values_list("balance", flat=True).get(pk=membership.pk)
    movement = Movement.objects.create(
        membership=membership,
        kind=kind,
        points=points,
        balance_after=membership.balance,
        occurred_at=timezone.now(),
        order_id=order_id,
        reward=reward,
        reason=reason[:200],
        by=by,
    )
    emit(
        "loyalty.points_moved",
        membership_id=membership.pk,
        customer_id=membership.customer_id,
        movement_id=movement.pk,
        kind=kind,
        points=points,
        balance=membership.balance,
        order_id=order_id,
        reward_id=reward.pk if reward else None,
        by=by.pk if by else None,
    )
    return movement


def tier_evaluate(*, membership: Membership, allow_down: bool = True) -> Tier | None:
    """Place the member in the tier his points in the qualification period reach;
    ``allow_down`` False (after earning) only ever moves him up."""
    tiers = list(membership.programme.tiers.all())
    points = selectors.qualifying_points([membership])[membership.pk]
    return tier_apply(membership=membership, tiers=tiers, points=points, allow_down=allow_down)


def tier_apply(
    *, membership: Membership, tiers: list[Tier], points: int, allow_down: bool = True
) -> Tier | None:
    reached = selectors.tier_for(tiers, points)
    current = next((t for t in tiers if t.pk == membership.tier_id), None)
    if reached == current:
        return current
    if (
        not allow_down
        and current is not None
        and (reached is None or reached.threshold < current.threshold)
    ):
        return current
    previous = membership.tier_id
    membership.tier = reached
    Membership.objects.filter(pk=membership.pk).update(tier=reached)
    emit(
        "loyalty.tier_changed",
        membership_id=membership.pk,
        customer_id=membership.customer_id,
        from_tier_id=previous,
        to_tier_id=reached.pk if reached else None,
    )
    return reached


@transaction.atomic
def points_redeem(*, by: User | None, membership_id: int, reward_id: int) -> Movement:
    """Spend a member's points on a reward of his programme: the balance and the
    reward's stock both checked and moved, or nothing is."""
    ensure_can(by, "loyalty.operate")
    membership = selectors.membership_get(user=by, membership_id=membership_id)
    reward = Reward.objects.filter(pk=reward_id, programme_id=membership.programme_id).first()
    if reward is None or not reward.active:
        raise ValidationFailed(
            _("There is no reward %(id)s on offer in this programme.") % {"id": reward_id},
            field="reward_id",
        )
    movement = movement_post(
        membership=membership,
        kind=Movement.Kind.REDEEM,
        points=-reward.cost,
        by=by,
        reward=reward,
        reason=reward.name,
    )
    if reward.stock is not None:
        taken = Reward.objects.filter(pk=reward.pk, stock__gt=0).update(stock=F("stock") - 1)
        if not taken:
            raise Conflict(
                _("%(reward)s is out of stock.") % {"reward": reward.name}, field="reward_id"
            )
    _timeline(
        membership,
        by=by,
        subject=_("Redeemed %(reward)s for %(points)s %(name)s")
        % {"reward": reward.name, "points": reward.cost, "name": membership.programme.points_name},
        related=movement,
    )
    return movement


@transaction.atomic
def points_adjust(*, by: User | None, membership_id: int, points: int, reason: str) -> Movement:
    """A manual correction, with its reason (a goodwill gesture, a mistake put right)."""
    ensure_can(by, "loyalty.adjust")
    membership = selectors.membership_get(user=by, membership_id=membership_id)
    if isinstance(points, bool) or not isinstance(points, int) or points == 0:
        raise ValidationFailed(_("Give the points to add (or, negative, to take)."), field="points")
    if abs(points) > MAX_ADJUST:
        raise ValidationFailed(
            _("An adjustment is at most %(max)s points.") % {"max": MAX_ADJUST}, field="points"
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Say why the points are adjusted."), field="reason")
    if len(reason) > 200:
        raise ValidationFailed(_("A reason has at most 200 characters."), field="reason")
    return movement_post(
        membership=membership, kind=Movement.Kind.ADJUST, points=points, by=by, reason=reason
    )
