"""The forms of the service set-up page: queues (members and skills as lines of text),
business-hours calendars (hours and holidays as lines) and SLA policies. They parse
what was typed into the services' arguments; the services (``services/setup.py``,
``services/sla.py``) validate, and their refusal comes back on the field it names."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from panorama.accounts.models import Role, User
from panorama.core.forms import StyledForm, text_input
from panorama.marketing.models import Segment
from panorama.marketing.selectors import segments_visible_to

from .models import BusinessCalendar, Case, Queue, SlaPolicy
from .services.business_hours import WEEKDAYS
from .services.setup import Member

PAUSED = "(paused)"


class _SetupForm(StyledForm):
    """Its own ids (the page holds three forms, each with a ``name``)."""

    prefix_id = ""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("auto_id", f"{self.prefix_id}-%s")
        super().__init__(*args, **kwargs)

    @classmethod
    def initial_of(cls, record) -> dict:
        """What the edit page shows of ``record``."""
        raise NotImplementedError


# --- queues -----------------------------------------------------------------------------


def members_text(queue: Queue) -> str:
    """A queue's members as the form shows them: ``eva: fibre, billing`` per line."""
    lines = []
    for member in queue.memberships.all():
        line = f"{member.user.username}: {', '.join(member.skill_list())}".rstrip(": ")
        lines.append(line if member.active else f"{line} {gettext(PAUSED)}")
    return "\n".join(lines)


class QueueForm(_SetupForm):
    prefix_id = "queue"
    name = forms.CharField(label=_("Name"), widget=text_input(Queue, "name"))
    email = forms.CharField(
        label=_("E-mail address"),
        required=False,
        help_text=_("Mail to this address opens cases in this queue."),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    members = forms.CharField(
        label=_("Members and skills"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "eva: fibre, billing"}),
        help_text=_(
            "One agent per line: his user name, a colon and his skills separated by "
            "commas. End a line with “(paused)” for an agent not taking cases now."
        ),
    )
    active = forms.BooleanField(label=_("Active (takes new cases)"), required=False, initial=True)

    @classmethod
    def initial_of(cls, queue: Queue) -> dict:
        return {
            "name": queue.name,
            "email": queue.email,
            "description": queue.description,
            "active": queue.active,
            "members": members_text(queue),
        }

    def clean_members(self) -> list[Member]:
        parsed: list[tuple[str, tuple[str, ...], bool]] = []
        markers = {PAUSED, gettext(PAUSED)}
        for raw in (self.cleaned_data.get("members") or "").splitlines():
            line = raw.strip()
            if not line:
                continue
            active = True
            for marker in markers:
                if line.lower().endswith(marker.lower()):
                    line, active = line[: -len(marker)].strip(), False
            username, _colon, skills = line.partition(":")
            parsed.append(
                (
                    username.strip(),
                    tuple(s.strip() for s in skills.split(",") if s.strip()),
                    active,
                )
            )
        ids = dict(
            User.objects.filter(username__in=[p[0] for p in parsed]).values_list("username", "pk")
        )
        unknown = [p[0] for p in parsed if p[0] not in ids]
        if unknown:
            raise forms.ValidationError(
                gettext("No user is called %(names)s.") % {"names": ", ".join(unknown)}
            )
        return [Member(ids[username], skills, active) for username, skills, active in parsed]

    def parsed(self) -> tuple[dict, list[Member]]:
        data = self.cleaned_data
        changes = {name: data[name] for name in ("name", "email", "description", "active")}
        return changes, data["members"]


# --- calendars --------------------------------------------------------------------------


def hours_text(hours: dict) -> str:
    """``{"mon": [["09:00", "14:00"], ...]}`` as ``mon: 09:00-14:00, 15:00-18:00`` lines."""
    return "\n".join(
        f"{day}: {', '.join(f'{s}-{e}' for s, e in hours[day])}" for day in WEEKDAYS if day in hours
    )


class CalendarForm(_SetupForm):
    prefix_id = "calendar"
    name = forms.CharField(label=_("Name"), widget=text_input(BusinessCalendar, "name"))
    time_zone = forms.CharField(
        label=_("Time zone"),
        initial="Europe/Madrid",
        widget=text_input(BusinessCalendar, "time_zone"),
    )
    country = forms.CharField(
        label=_("Country"),
        initial="ES",
        widget=text_input(BusinessCalendar, "country"),
        help_text=_("Its public holidays count (ISO code: ES, PT, FR...)."),
    )
    subdivision = forms.CharField(
        label=_("Holiday region"),
        required=False,
        widget=text_input(BusinessCalendar, "subdivision"),
        help_text=_("Its regional holidays count too: MD Madrid, CT Catalonia, AN Andalusia..."),
    )
    hours = forms.CharField(
        label=_("Weekly hours"),
        widget=forms.Textarea(attrs={"rows": 5}),
        initial="mon: 09:00-18:00\ntue: 09:00-18:00\nwed: 09:00-18:00\nthu: 09:00-18:00\n"
        "fri: 09:00-18:00",
        help_text=_(
            "One day per line (mon, tue, wed, thu, fri, sat, sun), then its spans: "
            "mon: 09:00-14:00, 15:00-18:00. A day not listed is closed."
        ),
    )
    extra_holidays = forms.CharField(
        label=_("Company holidays"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "2026-12-24 Nochebuena"}),
        help_text=_(
            "Days closed beyond the public holidays, one per line: 2026-12-24 Christmas Eve."
        ),
    )

    @classmethod
    def initial_of(cls, calendar: BusinessCalendar) -> dict:
        return {
            "name": calendar.name,
            "time_zone": calendar.time_zone,
            "country": calendar.country,
            "subdivision": calendar.subdivision,
            "hours": hours_text(calendar.hours),
            "extra_holidays": "\n".join(
                f"{h.date.isoformat()} {h.name}" for h in calendar.extra_holidays.all()
            ),
        }

    def clean_hours(self) -> dict:
        """Lines as the service's mapping; a span without a dash is passed on as it is,
        for the service to refuse naming its day."""
        hours: dict[str, list[list[str]]] = {}
        for raw in self.cleaned_data["hours"].splitlines():
            day, _colon, spans = raw.strip().partition(":")
            if not day.strip():
                continue
            for span in spans.split(","):
                start, _dash, end = span.replace("–", "-").partition("-")
                hours.setdefault(day.strip().lower(), []).append([start.strip(), end.strip()])
        return hours

    def clean_extra_holidays(self) -> list[tuple[str, str]]:
        holidays = []
        for raw in (self.cleaned_data.get("extra_holidays") or "").splitlines():
            if raw.strip():
                day, _space, label = raw.strip().partition(" ")
                holidays.append((day, label.strip()))
        return holidays

    def parsed(self) -> tuple[dict, list[tuple[str, str]]]:
        data = dict(self.cleaned_data)
        holidays = data.pop("extra_holidays")
        return data, holidays


# --- SLA policies -----------------------------------------------------------------------

ANY = [("", _("Any"))]


def _agents():
    return User.objects.filter(is_active=True, role__in=[Role.SERVICE_AGENT, Role.ADMIN]).order_by(
        "first_name", "last_name", "username"
    )


class AgentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.username


class PolicyForm(_SetupForm):
    prefix_id = "policy"
    name = forms.CharField(label=_("Name"), widget=text_input(SlaPolicy, "name"))
    calendar_id = forms.ModelChoiceField(
        label=_("Business hours"), queryset=BusinessCalendar.objects.order_by("name")
    )
    queue_id = forms.ModelChoiceField(
        label=_("Queue"),
        queryset=Queue.objects.order_by("name"),
        required=False,
        empty_label=_("Any"),
    )
    priority = forms.ChoiceField(
        label=_("Priority"), choices=ANY + list(Case.Priority.choices), required=False
    )
    segment = forms.ChoiceField(
        label=_("Customer segment"),
        choices=ANY + [("person", _("Person")), ("organisation", _("Organisation"))],
        required=False,
    )
    segment_id = forms.ModelChoiceField(
        label=_("Marketing segment"),
        queryset=Segment.objects.none(),
        required=False,
        empty_label=_("None"),
        help_text=_("Its customers get this policy first, whatever the other policies say."),
    )
    rank = forms.IntegerField(
        label=_("Rank"),
        required=False,
        initial=100,
        min_value=0,
        max_value=32767,
        help_text=_("Among policies with a marketing segment: lower is tried first."),
    )
    first_response_minutes = forms.IntegerField(
        label=_("First response (business minutes)"), min_value=1
    )
    resolution_minutes = forms.IntegerField(label=_("Resolution (business minutes)"), min_value=1)
    warn_minutes = forms.IntegerField(
        label=_("Warn this many minutes before a breach"), initial=60, min_value=0
    )
    escalate_to_queue_id = forms.ModelChoiceField(
        label=_("On a breach, move to queue"),
        queryset=Queue.objects.filter(active=True).order_by("name"),
        required=False,
        empty_label=_("Keep its queue"),
    )
    escalate_to_user_id = AgentChoiceField(
        label=_("On a breach, give to agent"),
        queryset=_agents(),
        required=False,
        empty_label=_("Keep its agent"),
    )
    manager_email = forms.CharField(
        label=_("Manager to notify"), required=False, help_text=_("E-mailed on every breach.")
    )
    raise_priority = forms.BooleanField(
        label=_("Raise the priority on a breach"), required=False, initial=True
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, user: User | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        agents = self.fields["escalate_to_user_id"]
        assert isinstance(agents, forms.ModelChoiceField)
        agents.queryset = _agents()  # as of this request
        segments = self.fields["segment_id"]
        assert isinstance(segments, forms.ModelChoiceField)
        segments.queryset = segments_visible_to(user).order_by("name")  # the service checks

    @classmethod
    def initial_of(cls, policy: SlaPolicy) -> dict:
        names = {"segment_id": "marketing_segment_id"}
        return {name: getattr(policy, names.get(name, name)) for name in cls.base_fields}

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        ids = ("calendar_id", "queue_id", "escalate_to_queue_id", "escalate_to_user_id")
        for name in (*ids, "segment_id"):
            data[name] = data[name].pk if data[name] is not None else None
        if data["rank"] is None:  # left blank: as it was (100 for a new policy)
            del data["rank"]
        return data
