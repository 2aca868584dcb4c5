"""Deterministic synthetic customers with everything the ficha shows.

One ``random.Random(seed)`` drives every choice; identifiers are derived from the
customer id through a bijection (unique whatever the size), so the same seed into the
same starting database gives the same data, row for row. Stored values are exactly what
the services store: folded search names, E.164 phones, upper-case DNI/NIE/CIF with a
correct check character, lower-case e-mails.
"""

import datetime
import random
from decimal import Decimal

from django.db import models

from panorama.channels.models import Interaction
from panorama.core.bulk import TableWriter, flush_all, next_id
from panorama.customers.identifiers import fold
from panorama.customers.models import (
    Address,
    BillingIncident,
    Consent,
    Customer,
    Group,
    GroupMembership,
    Holding,
    Identity,
)

from . import data
from .ids import (
    EMAIL_DOMAINS,
    NO_DATA,
    RESERVED_DNI,
    RESERVED_MOBILE,
    cif_for,
    dni,
    nie,
    slug,
)
from .staff import Staff
from .tables import COLUMNS, MODELS


class Seeder:
    """Builds rows for customers and their related records, written in batches."""

    def __init__(
        self,
        *,
        seed: int,
        staff: Staff,
        anchor: datetime.datetime,
        interactions_per_customer: int = 5,
    ):
        self.rng = random.Random(seed)
        keys = random.Random(f"panorama-identifiers-{seed}")
        self.offsets = [keys.randrange(100_000_000) for _ in range(4)]
        self.staff = staff
        self.anchor = anchor
        self.today = anchor.date()
        self.interactions = interactions_per_customer
        self.writers = {model: TableWriter(model, cols) for model, cols in COLUMNS.items()}
        self.next = {model: next_id(model) for model in MODELS}
        self.person_ids: list[int] = []
        self.pending = 0
        team_ids = staff.team_ids
        self.city_team = {
            "Madrid": team_ids["Madrid Centro"],
            "Toledo": team_ids["Madrid Centro"],
            "Barcelona": team_ids["Barcelona"],
            "Girona": team_ids["Barcelona"],
            "Valencia": team_ids["Valencia"],
            "Alicante": team_ids["Valencia"],
        }
        self.retail_teams = [team_ids["Madrid Centro"], team_ids["Barcelona"], team_ids["Valencia"]]
        self.business_team = team_ids["Empresas"]

    # --- ids and identifiers ------------------------------------------------------------

    def take_id(self, model: type[models.Model]) -> int:
        value = self.next[model]
        self.next[model] = value + 1
        return value

    def _mix(self, customer_id: int, which: int, modulo: int) -> int:
        # An affine bijection of the id: unique values for up to ``modulo`` customers.
        return (customer_id * 61_803_399 + self.offsets[which]) % modulo

    def national_id(self, customer_id: int, *, foreigner: bool) -> str:
        if foreigner:
            return nie(customer_id % 3, self._mix(customer_id, 0, 10_000_000))
        number = self._mix(customer_id, 0, 100_000_000)
        return dni(number + 1 if number == RESERVED_DNI else number)

    def mobile(self, customer_id: int) -> str:
        number = (customer_id * 27_182_817 + self.offsets[1]) % 100_000_000
        return f"+346{number + 1 if number == RESERVED_MOBILE else number:08d}"

    # --- customers ------------------------------------------------------------------------

    def _when(self, max_days: int) -> datetime.datetime:
        return self.anchor - datetime.timedelta(seconds=self.rng.randrange(86_400 * max_days))

    def _owner(self, team_id: int) -> int | None:
        return self.staff.rep_of_team.get(team_id) if self.rng.random() < 0.9 else None

    def person(
        self,
        *,
        first: str,
        last: str,
        language: str,
        team_id: int | None = None,
        city: tuple | None = None,
        foreigner: bool = False,
        customer_id: int | None = None,
        birth_year: int | None = None,
        email: str | None = None,
        phone: str | None = None,
        national_id: str | None = None,
        **relations,
    ) -> int:
        rng = self.rng
        cid = customer_id or self.take_id(Customer)
        city = city or rng.choice(data.CITIES)
        if team_id is None:
            team_id = self.city_team.get(city[0]) or rng.choice(self.retail_teams)
        created = self._when(3650)
        display = f"{first} {last}"
        birth = datetime.date(
            birth_year or rng.randint(1940, 2005), rng.randint(1, 12), rng.randint(1, 28)
        )
        self.writers[Customer].add(
            (
                cid,
                "person",
                "active" if rng.random() < 0.92 else "inactive",
                first,
                last,
                "",
                display,
                fold(display),
                fold(last),
                birth,
                language,
                self._owner(team_id),
                team_id,
                NO_DATA,
                "",
                created,
                created,
            )
        )
        surname = last.split()[0]
        email = email or (
            f"{slug(first)}.{slug(surname)}{cid}@{EMAIL_DOMAINS[cid % len(EMAIL_DOMAINS)]}"
        )
        self._identities(
            cid,
            created,
            national_id or self.national_id(cid, foreigner=foreigner),
            phone or self.mobile(cid),
            email,
        )
        self._address(cid, city, "home")
        self._relations(cid, created, **relations)
        self.person_ids.append(cid)
        self.pending += 1
        return cid

    def organisation(self) -> int:
        rng = self.rng
        cid = self.take_id(Customer)
        spanish = rng.random() < 0.75
        if spanish:
            name = (
                f"{rng.choice(data.COMPANY_WORDS_ES)} {rng.choice(data.ES_SURNAMES)} "
                f"{rng.choice(data.COMPANY_SUFFIXES_ES)}"
            )
        else:
            name = (
                f"{rng.choice(data.EN_SURNAMES)} {rng.choice(data.COMPANY_WORDS_EN)} "
                f"{rng.choice(data.COMPANY_SUFFIXES_EN)}"
            )
        created = self._when(3650)
        team_id = self.business_team
        self.writers[Customer].add(
            (
                cid,
                "organisation",
                "active",
                "",
                "",
                name,
                name,
                fold(name),
                "",
                None,
                "es" if spanish else "en",
                self._owner(team_id),
                team_id,
                NO_DATA,
                "",
                created,
                created,
            )
        )
        tax_id = cif_for(rng.choice(data.CIF_LETTERS), self._mix(cid, 2, 10_000_000))
        email = f"info.{slug(name.split()[1])}{cid}@{EMAIL_DOMAINS[cid % len(EMAIL_DOMAINS)]}"
        self._identities(cid, created, tax_id, self.mobile(cid), email)
        self._address(cid, rng.choice(data.CITIES), "billing")
        self._relations(cid, created)
        self._business(cid, name, created)
        self.pending += 1
        return cid

    def _identities(self, cid: int, created, national_id: str, phone: str, email: str) -> None:
        add, take, rng = self.writers[Identity].add, self.take_id, self.rng
        add((take(Identity), cid, "national_id", national_id, "", True, True, created))
        add((take(Identity), cid, "phone", phone, "mobile", True, rng.random() < 0.7, created))
        add((take(Identity), cid, "email", email, "personal", True, rng.random() < 0.6, created))
        if rng.random() < 0.4:
            add((take(Identity), cid, "loyalty_card", f"7001{cid:012d}", "", False, True, created))
        if rng.random() < 0.3:
            cookie = f"{rng.getrandbits(96):024x}"
            add((take(Identity), cid, "cookie", cookie, "", False, False, created))
        add((take(Identity), cid, "external_id", f"ERP-{cid:09d}", "erp", False, True, created))

    def _address(self, cid: int, city: tuple, kind: str) -> None:
        rng = self.rng
        line1 = (
            f"{rng.choice(data.STREET_KINDS)} {rng.choice(data.STREET_NAMES)}, "
            f"{rng.randint(1, 180)}"
        )
        line2 = f"{rng.randint(1, 9)}º {rng.choice('ABCD')}" if rng.random() < 0.6 else ""
        postal = f"{city[2]}{rng.randint(1, 999):03d}"
        self.writers[Address].add(
            (
                self.take_id(Address),
                cid,
                kind,
                line1,
                line2,
                postal,
                city[0],
                city[1],
                "ES",
                True,
            )
        )

    # --- what the customer holds, agreed and said -----------------------------------------

    def _relations(
        self,
        cid: int,
        created: datetime.datetime,
        *,
        holdings: int | None = None,
        incident: bool | None = None,
        consents: bool | None = None,
        interactions: int | None = None,
    ) -> None:
        rng = self.rng
        if holdings is None:
            holdings = rng.choices((0, 1, 2, 3, 4), cum_weights=(12, 42, 72, 90, 100))[0]
        holding_ids = self._holdings(cid, holdings)
        if incident if incident is not None else rng.random() < 0.05:
            self._incident(cid, rng.choice(holding_ids) if holding_ids else None)
        if consents if consents is not None else rng.random() < 0.85:
            self._consents(cid, created)
        count = interactions
        if count is None:
            base = self.interactions
            count = rng.randint(max(0, base - 2), base + 2) if base >= 2 else base
        self._interactions(cid, count)

    def _holdings(self, cid: int, count: int) -> list[int]:
        rng, ids = self.rng, []
        for code, name, category, price, conditions in rng.sample(data.PRODUCTS, count):
            hid = self.take_id(Holding)
            start = self.today - datetime.timedelta(days=rng.randint(30, 3650))
            status, end = "active", None
            roll = rng.random()
            if roll < 0.1:
                status, end = "ended", start + datetime.timedelta(days=rng.randint(0, 600))
                end = min(end, self.today)
            elif roll < 0.13:
                status = "suspended"
            self.writers[Holding].add(
                (
                    hid,
                    cid,
                    code,
                    name,
                    category,
                    status,
                    conditions,
                    start,
                    end,
                    price,
                    "EUR",
                    f"CT-{hid:09d}",
                    # Distinct instants, as customers 0021 gives existing holdings: a
                    # refresh reloads the rows tied at its watermark, not every holding.
                    self.anchor - datetime.timedelta(milliseconds=hid),
                )
            )
            ids.append(hid)
        return ids

    def _incident(
        self,
        cid: int,
        holding_id: int | None,
        *,
        status: str | None = None,
        amount: Decimal | None = None,
    ) -> None:
        rng = self.rng
        iid = self.take_id(BillingIncident)
        kind = rng.choices(("unpaid_invoice", "returned_payment", "dispute"), (6, 3, 1))[0]
        if status is not None:
            kind = "unpaid_invoice"
        status = status or ("open" if rng.random() < 0.7 else "resolved")
        due = self.today - datetime.timedelta(days=rng.randint(1, 180))
        resolved = self.anchor if status == "resolved" else None
        amount = amount or Decimal(rng.randint(1500, 90000)) / 100
        self.writers[BillingIncident].add(
            (
                iid,
                cid,
                holding_id,
                kind,
                f"FAC-{due.year}-{iid:07d}",
                amount,
                "EUR",
                due,
                status,
                resolved,
                "",
            )
        )

    def _consents(self, cid: int, created: datetime.datetime) -> None:
        add, take, rng = self.writers[Consent].add, self.take_id, self.rng
        source = rng.choice(("web", "branch", "phone", "contract"))
        add((take(Consent), cid, "service", "any", True, source, created))
        add((take(Consent), cid, "marketing", "email", rng.random() < 0.65, source, created))
        if rng.random() < 0.5:
            add((take(Consent), cid, "profiling", "any", rng.random() < 0.5, source, created))
        if rng.random() < 0.15:  # changed his mind later: a newer row, the history stays
            later = created + datetime.timedelta(days=rng.randint(1, 300))
            add(
                (
                    take(Consent),
                    cid,
                    "marketing",
                    "email",
                    False,
                    "unsubscribe link",
                    min(later, self.anchor),
                )
            )

    def _interactions(self, cid: int, count: int) -> None:
        add, take, rng = self.writers[Interaction].add, self.take_id, self.rng
        agents, cum = self.staff.agent_ids, data.INTERACTION_CUM_WEIGHTS
        for _ in range(count):
            channel = rng.choices(data.INTERACTION_CHANNELS, cum_weights=cum)[0]
            direction = (
                "internal"
                if channel == "note"
                else ("inbound" if rng.random() < 0.6 else "outbound")
            )
            at = self._when(1095)
            duration = rng.randint(30, 1800) if channel in ("phone", "in_person", "chat") else None
            add(
                (
                    take(Interaction),
                    cid,
                    channel,
                    direction,
                    rng.choice(data.INTERACTION_SUBJECTS[channel]),
                    "",
                    rng.choice(data.OUTCOMES),
                    rng.choice(agents) if channel != "web" else None,
                    at,
                    duration,
                    None,
                    NO_DATA,
                    at,
                )
            )

    # --- groups -----------------------------------------------------------------------------

    def group(self, name: str, kind: str, members: list[tuple[int, str]]) -> int:
        gid = self.take_id(Group)
        since = self.today - datetime.timedelta(days=self.rng.randint(30, 3650))
        self.writers[Group].add((gid, name, kind, self.anchor))
        add = self.writers[GroupMembership].add
        for customer_id, role in members:
            add((self.take_id(GroupMembership), gid, customer_id, role, since))
        return gid

    def _business(self, org_id: int, name: str, created) -> None:
        rng = self.rng
        if not self.person_ids or rng.random() < 0.3:
            return
        members = [(org_id, "member")]
        people = {rng.choice(self.person_ids) for _ in range(rng.randint(1, 4))}
        for index, person_id in enumerate(sorted(people)):
            members.append((person_id, "director" if index == 0 else "employee"))
        self.group(name, "business", members)

    def family(self, size: int) -> None:
        rng = self.rng
        spanish = rng.random() < 0.7
        city = rng.choice(data.CITIES)
        surname = rng.choice(data.ES_SURNAMES if spanish else data.EN_SURNAMES)
        partner_surname = rng.choice(data.ES_SURNAMES)
        head_year = rng.randint(1950, 1985)
        members = []
        for index in range(size):
            female = rng.random() < 0.5
            if spanish:
                first = rng.choice(data.ES_FEMALE if female else data.ES_MALE)
                # Children carry the head's first surname and the partner's.
                last = (
                    f"{surname} {rng.choice(data.ES_SURNAMES)}",
                    f"{partner_surname} {rng.choice(data.ES_SURNAMES)}",
                    f"{surname} {partner_surname}",
                )[min(index, 2)]
            else:
                first = rng.choice(data.EN_FEMALE if female else data.EN_MALE)
                last = surname
            year = head_year + (rng.randint(-3, 3) if index < 2 else rng.randint(22, 35))
            cid = self.person(
                first=first,
                last=last,
                language="es" if spanish else "en",
                city=city,
                birth_year=min(year, 2005),
            )
            members.append((cid, ("head", "partner")[index] if index < 2 else "child"))
        label = f"Familia {surname}" if spanish else f"{surname} family"
        self.group(label, "family", members)

    def random_person(self) -> int:
        rng = self.rng
        female = rng.random() < 0.5
        if rng.random() < 0.7:
            first = rng.choice(data.ES_FEMALE if female else data.ES_MALE)
            last = f"{rng.choice(data.ES_SURNAMES)} {rng.choice(data.ES_SURNAMES)}"
            return self.person(first=first, last=last, language="es")
        first = rng.choice(data.EN_FEMALE if female else data.EN_MALE)
        return self.person(
            first=first,
            last=rng.choice(data.EN_SURNAMES),
            language="en",
            foreigner=rng.random() < 0.22,
        )

    def flush(self) -> int:
        written = flush_all([self.writers[model] for model in MODELS])
        self.pending = 0
        return written
