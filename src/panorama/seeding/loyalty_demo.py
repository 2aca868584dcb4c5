"""Loyalty in the demo: "Club Panorama" with three tiers, earning rules (a product, a
category, a Christmas double-points campaign, double points all year for the marketing
segment of card holders) and rewards, and members with two and a
half years of history (earned, redeemed, adjusted), through the real services; then the
daily sweep expires the oldest unspent points and places everyone in his tier."""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from panorama.catalog.models import Category, Product
from panorama.customers.models import Customer
from panorama.loyalty.models import Movement, Programme, Reward
from panorama.loyalty.services.members import member_enrol, movement_post
from panorama.loyalty.services.programmes import (
    programme_save,
    reward_add,
    rule_add,
    tier_add,
)
from panorama.loyalty.services.sweeps import loyalty_sweep
from panorama.marketing.models import Segment

from .marketing_channels_demo import CARD_HOLDERS
from .showcase import showcase_customer_id

PROGRAMME = "Club Panorama"


def loyalty_demo_ensure(*, members: int = 40, seed: int = 11) -> Programme | None:
    if Programme.objects.exists():
        return None
    rng = random.Random(seed)
    club = _programme()
    rewards = list(club.rewards.all())
    wanted = [showcase_customer_id()] + list(
        Customer.objects.filter(kind=Customer.Kind.PERSON, merged_into__isnull=True)
        .order_by("id")
        .values_list("pk", flat=True)[: members * 3 : 3]
    )
    ids = list(dict.fromkeys(pk for pk in wanted if pk is not None))[:members]
    for n, customer_id in enumerate(ids):
        _member(club, customer_id, rewards, rng, rich=n == 0)
    loyalty_sweep()
    return club


@transaction.atomic
def _programme() -> Programme:
    club = programme_save(
        by=None,
        name=PROGRAMME,
        points_name="puntos",
        points_per_unit=1,
        expiry_months=24,
        qualification_months=12,
    )
    tier_add(by=None, programme=club, name="Bronce", threshold=0, benefits="Ofertas de socio")
    tier_add(
        by=None,
        programme=club,
        name="Plata",
        threshold=1000,
        multiplier="1.25",
        benefits="Envío gratis\nAtención preferente",
    )
    tier_add(
        by=None,
        programme=club,
        name="Oro",
        threshold=5000,
        multiplier="1.5",
        benefits="Gestor personal\nInvitaciones a eventos",
    )
    product = Product.objects.filter(active=True).order_by("id").first()
    if product is not None:
        rule_add(
            by=None,
            programme=club,
            kind="product",
            name=f"Extra {product.name}"[:120],
            product_id=product.pk,
            extra_points=50,
        )
    category = Category.objects.order_by("id").first()
    if category is not None:
        rule_add(
            by=None,
            programme=club,
            kind="category",
            name=f"Extra {category.name}"[:120],
            category_id=category.pk,
            extra_points=10,
        )
    year = timezone.localdate().year
    rule_add(
        by=None,
        programme=club,
        kind="campaign",
        name="Doble puntos en Navidad",
        multiplier=2,
        starts_on=datetime.date(year, 12, 1),
        ends_on=datetime.date(year, 12, 31),
    )
    # A bonus only for the marketing segment of card holders (the marketing demo's).
    holders = Segment.objects.filter(name=CARD_HOLDERS).first()
    if holders is not None:
        rule_add(
            by=None,
            programme=club,
            kind="campaign",
            name="Puntos dobles para titulares de tarjeta",
            multiplier=2,
            starts_on=datetime.date(year, 1, 1),
            ends_on=datetime.date(year, 12, 31),
            segment_id=holders.pk,
        )
    reward_add(by=None, programme=club, name="Taza Panorama", cost=300, stock=50)
    reward_add(by=None, programme=club, name="Cheque regalo 10 €", cost=1000)
    reward_add(by=None, programme=club, name="Noche de hotel", cost=8000, stock=5)
    return club


@transaction.atomic
def _member(club: Programme, customer_id: int, rewards: list[Reward], rng, *, rich: bool):
    member = member_enrol(by=None, programme_id=club.pk, customer_id=customer_id)
    now = timezone.now()
    start = now - datetime.timedelta(days=rng.randint(200, 900))
    visits = rng.randint(12, 20) if rich else rng.randint(2, 12)
    days = sorted(rng.uniform(0, (now - start).days) for _n in range(visits))
    for day in days:
        when = start + datetime.timedelta(days=day)
        points = rng.randint(40, 900) if rich else rng.randint(20, 600)
        moved = movement_post(
            membership=member, kind=Movement.Kind.EARN, points=points, reason="Compra en tienda"
        )
        Movement.objects.filter(pk=moved.pk).update(occurred_at=when)
        affordable = [r for r in rewards if r.cost <= member.balance and r.stock != 0]
        if affordable and rng.random() < 0.25:
            reward = rng.choice(affordable)
            moved = movement_post(
                membership=member,
                kind=Movement.Kind.REDEEM,
                points=-reward.cost,
                reward=reward,
                reason=reward.name,
            )
            Movement.objects.filter(pk=moved.pk).update(
                occurred_at=when + datetime.timedelta(hours=2)
            )
    if rich or rng.random() < 0.1:
        moved = movement_post(
            membership=member,
            kind=Movement.Kind.ADJUST,
            points=100,
            reason="Compensación por un retraso en la entrega",
        )
    type(member).objects.filter(pk=member.pk).update(enrolled_at=start)
