"""Loyalty pages: programmes (with tiers, rules and rewards), the members list, a
member's page (balance, tier, progress, statement, redeem, adjust) and enrolment from
the ficha. The services check permissions and scope; the views parse and render."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from panorama.accounts.permissions import can, ensure_can
from panorama.core.exceptions import DomainError
from panorama.core.lists import list_response
from panorama.customers.selectors import customer_get

from . import selectors
from .forms import (
    AdjustForm,
    EnrolForm,
    ProgrammeForm,
    RedeemForm,
    RewardForm,
    RuleForm,
    StatementForm,
    TierForm,
)
from .lists import MEMBERS, PROGRAMMES
from .models import Tier
from .services import members as member_services
from .services import programmes as services

# --- programmes -------------------------------------------------------------------------


@require_GET
def programme_list(request):
    """The programmes as the shared list (company-wide, as every signed-in user read them
    before); bulk activate/deactivate for who may manage loyalty."""
    context = {"may_manage": can(request.user, "loyalty.manage")}
    return list_response(
        request, PROGRAMMES, template="loyalty/programme_list.html", context=context
    )


def _programme_page(request, programme, status=200, editing=None, **forms):
    """The programme's page; ``editing``: a rule's edit form sent back with its errors."""
    may_manage = can(request.user, "loyalty.manage")
    rules = list(programme.rules.all())
    rule_form = forms.get("rule_form") or RuleForm()
    edits: list = [None] * len(rules)
    if may_manage:
        edits = [
            editing if editing and editing.prefix == f"rule-{r.pk}" else RuleForm.editing(r)
            for r in rules
        ]
        RuleForm.share_choices([rule_form, *edits])
    context = {
        "programme": programme,
        "tiers": list(programme.tiers.all()),
        "rules": list(zip(rules, edits, strict=True)),
        "rewards": list(programme.rewards.all()),
        "may_manage": may_manage,
        "tier_form": forms.get("tier_form") or TierForm(),
        "rule_form": rule_form,
        "reward_form": forms.get("reward_form") or RewardForm(),
    }
    for form in (context["tier_form"], rule_form, context["reward_form"], *edits):
        if form is not None:
            form.mark_errors()
    return render(request, "loyalty/programme_detail.html", context, status=status)


@require_GET
def programme_detail(request, programme_id: int):
    return _programme_page(request, selectors.programme_get(programme_id=programme_id, full=True))


def _programme_form(request, form, programme=None):
    form.mark_errors()
    return render(
        request,
        "loyalty/programme_form.html",
        {"form": form, "programme": programme},
        status=422 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def programme_create(request):
    ensure_can(request.user, "loyalty.manage")
    form = ProgrammeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            programme = services.programme_save(by=request.user, **form.values())
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Programme saved."))
            return redirect("loyalty:programme_detail", programme.pk)
    return _programme_form(request, form)


@require_http_methods(["GET", "POST"])
def programme_edit(request, programme_id: int):
    programme = selectors.programme_get(programme_id=programme_id)
    ensure_can(request.user, "loyalty.manage")
    form = ProgrammeForm(request.POST or None, initial=ProgrammeForm.initial_of(programme))
    if request.method == "POST" and form.is_valid():
        try:
            services.programme_save(by=request.user, programme=programme, **form.values())
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Programme saved."))
            return redirect("loyalty:programme_detail", programme.pk)
    return _programme_form(request, form, programme)


def _add(request, programme_id, form_class, service, key, done):
    programme = selectors.programme_get(programme_id=programme_id, full=True)
    ensure_can(request.user, "loyalty.manage")
    form = form_class(request.POST)
    if form.is_valid():
        try:
            service(by=request.user, programme=programme, **form.values())
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, done)
            return redirect("loyalty:programme_detail", programme.pk)
    return _programme_page(request, programme, status=422, **{key: form})


@require_POST
def tier_add(request, programme_id: int):
    return _add(request, programme_id, TierForm, services.tier_add, "tier_form", _("Tier added."))


@require_POST
def rule_add(request, programme_id: int):
    return _add(request, programme_id, RuleForm, services.rule_add, "rule_form", _("Rule added."))


@require_POST
def reward_add(request, programme_id: int):
    return _add(
        request, programme_id, RewardForm, services.reward_add, "reward_form", _("Reward added.")
    )


@require_POST
def tier_remove(request, programme_id: int, tier_id: int):
    programme = selectors.programme_get(programme_id=programme_id)
    tier = Tier.objects.filter(programme=programme, pk=tier_id).first()
    if tier is not None:
        services.tier_remove(by=request.user, tier=tier)
        messages.success(request, _("Tier removed."))
    return redirect("loyalty:programme_detail", programme.pk)


@require_POST
def rule_edit(request, programme_id: int, earning_rule_id: int):
    """A rule's edit form on the programme's page: the new values apply to the orders
    that earn from now on; points already earned stay."""
    programme = selectors.programme_get(programme_id=programme_id, full=True)
    rule = selectors.rule_get(programme=programme, rule_id=earning_rule_id)
    ensure_can(request.user, "loyalty.manage")
    form = RuleForm.editing(rule, request.POST)
    if form.is_valid():
        try:
            services.rule_edit(by=request.user, rule=rule, changes=form.values())
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Rule saved: orders earn by it from now on."))
            return redirect("loyalty:programme_detail", programme.pk)
    return _programme_page(request, programme, status=422, editing=form)


def _set_active(request, programme, service, done, **item):
    """The one view behind the on/off buttons of rules and rewards (never deleted: the
    history names them): the POSTed ``active`` ("1" or "0") is the state wanted, so a
    second click changes nothing."""
    active = request.POST.get("active") == "1"
    service(by=request.user, active=active, **item)
    messages.success(request, done[active])
    return redirect("loyalty:programme_detail", programme.pk)


@require_POST
def rule_active(request, programme_id: int, earning_rule_id: int):
    """Retire a rule (confirmed on the page) or put it back in force."""
    programme = selectors.programme_get(programme_id=programme_id)
    rule = selectors.rule_get(programme=programme, rule_id=earning_rule_id)
    done = {
        False: _("Rule retired: it earns nothing from now on."),
        True: _("Rule back in force: orders earn by it from now on."),
    }
    return _set_active(request, programme, services.rule_set_active, done, rule=rule)


@require_POST
def reward_active(request, programme_id: int, reward_id: int):
    """Withdraw a reward from the catalogue or offer it again."""
    programme = selectors.programme_get(programme_id=programme_id)
    reward = selectors.reward_get(programme=programme, reward_id=reward_id)
    done = {False: _("Reward withdrawn."), True: _("Reward offered again.")}
    return _set_active(request, programme, services.reward_set_active, done, reward=reward)


# --- members ----------------------------------------------------------------------------


@require_GET
def member_list(request):
    return list_response(request, MEMBERS, template="loyalty/member_list.html")


def _member_page(request, membership, status=200, redeem_form=None, adjust_form=None):
    programme = membership.programme
    rewards = [r for r in programme.rewards.all() if r.active]
    period = StatementForm(request.GET or None)
    since = until = None
    if period.is_valid():
        since, until = period.cleaned_data["since"], period.cleaned_data["until"]
    page = selectors.statement(
        membership=membership,
        since=since,
        until=until,
        cursor=request.GET.get("cursor", ""),
    )
    redeem_form = redeem_form or RedeemForm(rewards=rewards, points_name=programme.points_name)
    adjust_form = adjust_form or AdjustForm()
    redeem_form.mark_errors()
    adjust_form.mark_errors()
    context = {
        "membership": membership,
        "programme": programme,
        "standing": selectors.member_standing(membership=membership),
        "movements": page.items,
        "next_cursor": page.next_cursor,
        "period": period,
        "totals": selectors.statement_totals(membership=membership, since=since, until=until),
        "rewards": rewards,
        "redeem_form": redeem_form,
        "adjust_form": adjust_form,
        "may_operate": can(request.user, "loyalty.operate"),
        "may_adjust": can(request.user, "loyalty.adjust"),
    }
    return render(request, "loyalty/member_detail.html", context, status=status)


@require_GET
def member_detail(request, member_id: int):
    membership = selectors.membership_get(user=request.user, membership_id=member_id)
    return _member_page(request, membership)


@require_POST
def member_redeem(request, member_id: int):
    membership = selectors.membership_get(user=request.user, membership_id=member_id)
    ensure_can(request.user, "loyalty.operate")
    rewards = [r for r in membership.programme.rewards.all() if r.active]
    form = RedeemForm(request.POST, rewards=rewards, points_name=membership.programme.points_name)
    if form.is_valid():
        try:
            member_services.points_redeem(
                by=request.user, membership_id=membership.pk, **form.values()
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Reward redeemed."))
            return redirect("loyalty:member_detail", membership.pk)
    membership.refresh_from_db()
    return _member_page(request, membership, status=422, redeem_form=form)


@require_POST
def member_adjust(request, member_id: int):
    membership = selectors.membership_get(user=request.user, membership_id=member_id)
    ensure_can(request.user, "loyalty.adjust")
    form = AdjustForm(request.POST)
    if form.is_valid():
        try:
            member_services.points_adjust(
                by=request.user, membership_id=membership.pk, **form.values()
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Points adjusted."))
            return redirect("loyalty:member_detail", membership.pk)
    membership.refresh_from_db()
    return _member_page(request, membership, status=422, adjust_form=form)


@require_POST
def member_enrol(request, customer_id: int):
    """Enrol from the ficha's loyalty panel; the member's page on success."""
    customer = customer_get(user=request.user, customer_id=customer_id)
    ensure_can(request.user, "loyalty.operate")
    form = EnrolForm(request.POST, programmes=selectors.programmes(active=True))
    if form.is_valid():
        try:
            membership = member_services.member_enrol(
                by=request.user, customer_id=customer.pk, **form.values()
            )
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(
                request,
                _("Enrolled, card %(card)s.") % {"card": membership.card_number},
            )
            return redirect("loyalty:member_detail", membership.pk)
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    return redirect("customers:detail", customer.pk)
