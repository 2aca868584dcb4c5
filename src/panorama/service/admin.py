"""Service levels and queues in the admin (administrators): the same rules as the
services (``calendar_check``, ``policy_check``), shown beside the field they name."""

from django import forms
from django.contrib import admin
from django.forms.models import construct_instance

from panorama.core.exceptions import ValidationFailed

from .models import BusinessCalendar, CalendarHoliday, Queue, QueueMember, SlaPolicy
from .services.sla import calendar_check, policy_check


def _checked(form: forms.ModelForm, check) -> None:
    try:
        check(construct_instance(form, form.instance))
    except ValidationFailed as exc:
        field = exc.field if exc.field in form.fields else None
        form.add_error(field, str(exc.message))


class CalendarForm(forms.ModelForm):
    class Meta:
        model = BusinessCalendar
        fields = ["name", "time_zone", "country", "subdivision", "hours"]

    def clean(self) -> dict | None:
        data = super().clean()
        if not self.errors:
            _checked(self, calendar_check)
        return data


class PolicyForm(forms.ModelForm):
    class Meta:
        model = SlaPolicy
        fields = [
            "name",
            "calendar",
            "queue",
            "priority",
            "segment",
            "first_response_minutes",
            "resolution_minutes",
            "warn_minutes",
            "escalate_to_queue",
            "escalate_to_user",
            "raise_priority",
            "manager_email",
            "active",
        ]

    def clean(self) -> dict | None:
        data = super().clean()
        if not self.errors:
            _checked(self, policy_check)
        return data


class HolidayInline(admin.TabularInline):
    model = CalendarHoliday
    extra = 1


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    form = CalendarForm
    list_display = ["name", "time_zone", "country", "subdivision"]
    inlines = [HolidayInline]


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    form = PolicyForm
    list_display = [
        "name",
        "queue",
        "priority",
        "segment",
        "first_response_minutes",
        "resolution_minutes",
        "active",
    ]
    list_filter = ["active", "queue"]


class MemberInline(admin.TabularInline):
    model = QueueMember
    extra = 1


@admin.register(Queue)
class QueueAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "active"]
    inlines = [MemberInline]
