"""The marketing API: segments (with a live count), lists, templates, campaigns and
their results. Every write goes through the services (permission, validation)."""

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from panorama.accounts.permissions import ensure_can

from .. import selectors
from ..models import Campaign
from ..schemas import (
    CallListOut,
    CallOutcomeIn,
    CallProgressOut,
    CampaignIn,
    CampaignOut,
    ConversionIn,
    CountOut,
    LaunchOut,
    ListChangeIn,
    ListChangeOut,
    ListImportOut,
    ListIn,
    ListOut,
    ListRenameIn,
    PreviewIn,
    PreviewOut,
    ProgrammeIn,
    RecipientOut,
    ResponseIn,
    ResultsOut,
    RulesIn,
    SegmentIn,
    SegmentOut,
    SnapshotIn,
    TemplateIn,
    TemplateOut,
    TestSendIn,
    TestSendOut,
    VariantIn,
    VariantOut,
)
from ..services import abtest, calls, campaigns, segments, templates
from ..services.directmail import direct_mail_export
from ..services.list_import import list_import

router = Router(tags=["marketing"])


@router.get("/marketing/segments", response=list[SegmentOut])
def segment_list(request):
    """The segments the user may see (those kept to a team he is out of are not listed)."""
    return list(selectors.segments_visible_to(request.user).prefetch_related("offers")[:500])


@router.post("/marketing/segments/count", response=CountOut, summary="Count a segment's rules")
def segment_rules_count(request, payload: RulesIn):
    return {"count": selectors.segment_count(user=request.user, rules=payload.rules)}


@router.post("/marketing/segments", response={201: SegmentOut})
def segment_create(request, payload: SegmentIn):
    return Status(201, segments.segment_save(by=request.user, **payload.dict()))


@router.post("/marketing/segments/programme", response={201: SegmentOut})
def programme_segment(request, payload: ProgrammeIn):
    """A retention, win-back or cross-sell target as a segment: churn risk above a
    probability (when analytics scores exist), no contact for N days, without the offer."""
    from ..services.programmes import programme_segment_create

    segment = programme_segment_create(by=request.user, **payload.dict())
    return Status(201, segment)


@router.get("/marketing/segments/{segment_id}", response=SegmentOut)
def segment_detail(request, segment_id: int):
    return selectors.segment_get(segment_id=segment_id, user=request.user)


@router.put("/marketing/segments/{segment_id}", response=SegmentOut)
def segment_update(request, segment_id: int, payload: SegmentIn):
    segment = selectors.segment_get(segment_id=segment_id, user=request.user)
    return segments.segment_save(by=request.user, segment=segment, **payload.dict())


@router.get("/marketing/segments/{segment_id}/count", response=CountOut)
def segment_count(request, segment_id: int):
    segment = selectors.segment_get(segment_id=segment_id, user=request.user)
    return {"count": selectors.segment_count(user=request.user, rules=segment.rules)}


@router.post("/marketing/segments/{segment_id}/snapshot", response={201: ListChangeOut})
def segment_snapshot(request, segment_id: int, payload: SnapshotIn):
    segment = selectors.segment_get(segment_id=segment_id, user=request.user)
    target = selectors.list_get(list_id=payload.list_id) if payload.list_id else None
    static_list, joined, left = segments.list_snapshot(
        by=request.user, segment=segment, name=payload.name, static_list=target
    )
    return Status(
        201,
        {"list": selectors.list_get(list_id=static_list.pk), "joined": joined, "left": left},
    )


@router.get("/marketing/lists", response=list[ListOut])
def list_list(request):
    return list(selectors.lists_all()[:500])


@router.post("/marketing/lists", response={201: ListOut})
def list_create(request, payload: ListIn):
    static_list = segments.list_create(
        by=request.user, name=payload.name, customer_ids=payload.customer_ids
    )
    return Status(201, selectors.list_get(list_id=static_list.pk))


def _imported(report):
    report.static_list = selectors.list_get(list_id=report.static_list.pk)  # with its size
    return report


@router.post(
    "/marketing/lists/import",
    response={201: ListImportOut},
    summary="Create a list from a CSV/XLSX file of identifiers or customer numbers",
)
def list_import_new(request, file: File[UploadedFile], name: Form[str]):
    return Status(201, _imported(list_import(by=request.user, upload=file, name=name)))


@router.post(
    "/marketing/lists/{list_id}/import",
    response=ListImportOut,
    summary="Add the customers of a CSV/XLSX file to a list",
)
def list_import_into(request, list_id: int, file: File[UploadedFile]):
    static_list = selectors.list_get(list_id=list_id)
    return _imported(list_import(by=request.user, upload=file, static_list=static_list))


@router.post("/marketing/lists/{list_id}/members", response=ListChangeOut)
def list_members(request, list_id: int, payload: ListChangeIn):
    static_list = selectors.list_get(list_id=list_id)
    joined, left = segments.list_members_change(
        by=request.user, static_list=static_list, add=payload.add, remove=payload.remove
    )
    return {"list": selectors.list_get(list_id=list_id), "joined": joined, "left": left}


# After /marketing/lists/import: Django matches the paths in order, and "import" would
# otherwise be taken for a list's id (a 405 for the import's POST).
@router.patch("/marketing/lists/{list_id}", response=ListOut)
def list_rename(request, list_id: int, payload: ListRenameIn):
    static_list = selectors.list_get(list_id=list_id)
    segments.list_rename(by=request.user, static_list=static_list, name=payload.name)
    return selectors.list_get(list_id=list_id)


@router.delete("/marketing/lists/{list_id}", response={204: None})
def list_delete(request, list_id: int):
    """Delete a list nothing uses, with its memberships (409: what uses it)."""
    static_list = selectors.list_get(list_id=list_id)
    segments.list_delete(by=request.user, static_list=static_list)
    return Status(204, None)


@router.get("/marketing/templates", response=list[TemplateOut])
def template_list(request):
    return list(selectors.templates_all()[:500])


@router.post("/marketing/templates", response={201: TemplateOut})
def template_create(request, payload: TemplateIn):
    return Status(201, templates.template_save(by=request.user, **payload.dict()))


@router.put("/marketing/templates/{template_id}", response=TemplateOut)
def template_update(request, template_id: int, payload: TemplateIn):
    template = selectors.template_get(template_id=template_id)
    return templates.template_save(by=request.user, template=template, **payload.dict())


@router.post("/marketing/templates/{template_id}/preview", response=PreviewOut)
def template_preview(request, template_id: int, payload: PreviewIn):
    template = selectors.template_get(template_id=template_id)
    return templates.template_preview(
        by=request.user, template=template, customer_id=payload.customer_id
    )


@router.post("/marketing/templates/{template_id}/test-send", response=TestSendOut)
def template_test_send(request, template_id: int, payload: TestSendIn):
    """Send the message as this customer would get it, marked as a test, to ``to`` (the
    user's own address when empty): the page's test send."""
    template = selectors.template_get(template_id=template_id)
    sent_to = templates.template_test_send(
        by=request.user, template=template, customer_id=payload.customer_id, to=payload.to
    )
    return {"sent_to": sent_to}


def _campaign_changes(payload: CampaignIn) -> dict:
    data = payload.dict()
    data["segment"] = data.pop("segment_id")
    data["static_list"] = data.pop("list_id")
    data["template"] = data.pop("template_id")
    data["sms_account"] = data.pop("sms_account_id")
    data["script"] = data.pop("script_id")
    return data


@router.get("/marketing/campaigns", response=list[CampaignOut])
def campaign_list(request):
    return list(selectors.campaigns_all()[:500])


@router.post("/marketing/campaigns", response={201: CampaignOut})
def campaign_create(request, payload: CampaignIn):
    campaign = campaigns.campaign_save(by=request.user, changes=_campaign_changes(payload))
    return Status(201, campaign)


@router.get("/marketing/campaigns/{campaign_id}", response=CampaignOut)
def campaign_detail(request, campaign_id: int):
    return selectors.campaign_get(campaign_id=campaign_id)


@router.put("/marketing/campaigns/{campaign_id}", response=CampaignOut)
def campaign_update(request, campaign_id: int, payload: CampaignIn):
    campaign = selectors.campaign_get(campaign_id=campaign_id)
    return campaigns.campaign_save(
        by=request.user, campaign=campaign, changes=_campaign_changes(payload)
    )


@router.post("/marketing/campaigns/{campaign_id}/launch", response=LaunchOut)
def campaign_launch(request, campaign_id: int):
    campaign = selectors.campaign_get(campaign_id=campaign_id)
    drawn = campaigns.campaign_launch(by=request.user, campaign=campaign)
    return {"campaign": selectors.campaign_get(campaign_id=campaign_id), **drawn}


@router.get("/marketing/campaigns/{campaign_id}/results", response=ResultsOut)
def campaign_results(request, campaign_id: int):
    return results_out(selectors.campaign_get(campaign_id=campaign_id))


def results_out(campaign: Campaign) -> dict:
    r = selectors.campaign_results(campaign=campaign)
    out = {k: getattr(r, k) for k in ResultsOut.model_fields if hasattr(r, k)}
    out.update(
        target_members=r.target.members,
        target_rate=r.target.rate,
        control_members=r.control.members,
        control_converted=r.control.converted,
        control_rate=r.control.rate,
        variants=abtest.variant_figures(campaign),
    )
    return out


@router.get("/marketing/campaigns/{campaign_id}/variants", response=list[VariantOut])
def variant_list(request, campaign_id: int):
    campaign = selectors.campaign_get(campaign_id=campaign_id)
    return list(campaign.variants.order_by("label", "pk"))


@router.post("/marketing/campaigns/{campaign_id}/variants", response={201: VariantOut})
def variant_create(request, campaign_id: int, payload: VariantIn):
    campaign = selectors.campaign_get(campaign_id=campaign_id)
    variant = abtest.variant_save(
        by=request.user,
        campaign=campaign,
        label=payload.label,
        template=payload.template_id,
        subject=payload.subject,
    )
    return Status(201, variant)


@router.delete("/marketing/campaigns/{campaign_id}/variants/{variant_id}", response={204: None})
def variant_delete(request, campaign_id: int, variant_id: int):
    variant = selectors.variant_get(campaign_id=campaign_id, variant_id=variant_id)
    abtest.variant_remove(by=request.user, variant=variant)
    return Status(204, None)


@router.post("/marketing/campaigns/{campaign_id}/ab/decide", response=VariantOut)
def ab_decide(request, campaign_id: int):
    """End the A/B test now: the best variant so far goes to everyone waiting."""
    campaign = selectors.campaign_get(campaign_id=campaign_id)
    return abtest.ab_decide(campaign_id=campaign.pk, by=request.user)


@router.get("/marketing/campaigns/{campaign_id}/recipients", response=list[RecipientOut])
def campaign_recipients(request, campaign_id: int, status: str = "", limit: int = 100):
    campaign = selectors.campaign_get(campaign_id=campaign_id)
    return selectors.ledger(
        user=request.user, campaign=campaign, status=status, limit=max(1, min(limit, 500))
    )


@router.post("/marketing/campaigns/{campaign_id}/responses", response={201: RecipientOut})
def campaign_response(request, campaign_id: int, payload: ResponseIn):
    campaign = selectors.campaign_get(campaign_id=campaign_id)
    recipient = campaigns.campaign_response_record(
        by=request.user,
        campaign=campaign,
        customer_id=payload.customer_id,
        note=payload.note,
        becomes=payload.becomes,
    )
    return Status(201, recipient)


@router.post("/marketing/campaigns/{campaign_id}/conversions", response={201: RecipientOut})
def campaign_conversion(request, campaign_id: int, payload: ConversionIn):
    campaign = selectors.campaign_get(campaign_id=campaign_id)
    recipient = campaigns.campaign_conversion_record(
        by=request.user, campaign=campaign, customer_id=payload.customer_id, revenue=payload.revenue
    )
    return Status(201, recipient)


# --- sign-up forms and journeys ------------------------------------------------------------

from ..schemas import (  # noqa: E402
    EnrolmentPageOut,
    JourneyIn,
    JourneyOut,
    JourneyReportOut,
    SignupFormIn,
    SignupFormOut,
    StatusIn,
    StepIn,
    StepOut,
)
from ..services import journeys as journey_services  # noqa: E402
from ..services import signups  # noqa: E402


@router.get("/marketing/signup-forms", response=list[SignupFormOut])
def signup_form_list(request):
    return list(selectors.signup_forms_all()[:500])


@router.post("/marketing/signup-forms", response={201: SignupFormOut})
def signup_form_create(request, payload: SignupFormIn):
    return Status(201, signups.signup_form_save(by=request.user, **payload.dict()))


@router.get("/marketing/journeys", response=list[JourneyOut])
def journey_list(request):
    return list(selectors.journeys_all()[:500])


@router.post("/marketing/journeys", response={201: JourneyOut})
def journey_create(request, payload: JourneyIn):
    return Status(201, journey_services.journey_save(by=request.user, **payload.dict()))


def _report(journey) -> dict:
    report = selectors.journey_report(journey=journey)
    steps = [
        {
            **{
                f: getattr(r["step"], f)
                for f in ("id", "position", "kind", "config", "parent_id", "path")
            },
            "level": r["level"],
            "waiting": r["waiting"],
        }
        for r in report["steps"]
    ]
    return {**report, "journey": journey, "steps": steps}


@router.get("/marketing/journeys/{journey_id}", response=JourneyReportOut)
def journey_detail(request, journey_id: int):
    return _report(selectors.journey_get(journey_id=journey_id))


@router.get("/marketing/journeys/{journey_id}/enrolments", response=EnrolmentPageOut)
def journey_enrolments(request, journey_id: int, cursor: str = "", limit: int = 50):
    """The customers through the journey the user may see, the latest first, with the
    next step named; ``next_cursor`` pages on."""
    journey = selectors.journey_get(journey_id=journey_id)
    page = selectors.enrolment_page(user=request.user, journey=journey, cursor=cursor, limit=limit)
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.put("/marketing/journeys/{journey_id}", response=JourneyOut)
def journey_update(request, journey_id: int, payload: JourneyIn):
    journey = selectors.journey_get(journey_id=journey_id)
    return journey_services.journey_save(by=request.user, journey=journey, **payload.dict())


@router.post("/marketing/journeys/{journey_id}/steps", response={201: StepOut})
def journey_step_add(request, journey_id: int, payload: StepIn):
    journey = selectors.journey_get(journey_id=journey_id)
    return Status(
        201, journey_services.step_add(by=request.user, journey=journey, **payload.dict())
    )


@router.delete("/marketing/journeys/{journey_id}/steps/{step_id}", response={204: None})
def journey_step_delete(request, journey_id: int, step_id: int):
    from django.utils.translation import gettext as _

    from panorama.core.exceptions import NotFound

    journey = selectors.journey_get(journey_id=journey_id)
    step = journey.steps.filter(pk=step_id).first() if 0 < step_id < 2**63 else None
    if step is None:
        raise NotFound(_("There is no such step in this journey."))
    journey_services.step_remove(by=request.user, step=step)
    return Status(204, None)


@router.post("/marketing/journeys/{journey_id}/status", response=JourneyOut)
def journey_status(request, journey_id: int, payload: StatusIn):
    journey = selectors.journey_get(journey_id=journey_id)
    return journey_services.journey_set_status(
        by=request.user, journey=journey, status=payload.status
    )


# --- call lists and direct mail --------------------------------------------------------


@router.get("/marketing/call-lists", response=list[CallListOut])
def call_lists(request):
    """The call-list campaigns open now, with their progress."""
    ensure_can(request.user, "marketing.make_calls")
    return [
        {"campaign": c, "progress": selectors.call_progress(campaign=c)}
        for c in selectors.call_lists_open()[:100]
    ]


@router.get("/marketing/campaigns/{campaign_id}/calls/progress", response=CallProgressOut)
def call_progress(request, campaign_id: int):
    return selectors.call_progress(campaign=selectors.campaign_get(campaign_id=campaign_id))


@router.post(
    "/marketing/campaigns/{campaign_id}/calls/next", response={200: RecipientOut, 204: None}
)
def call_next(request, campaign_id: int):
    """The caller's next customer (the one he holds, a call back due, else the next in
    the queue); 204 when nobody is left for him."""
    campaign = selectors.campaign_get(campaign_id=campaign_id)
    taken = calls.call_next(by=request.user, campaign=campaign)
    return Status(204, None) if taken is None else taken


@router.post(
    "/marketing/campaigns/{campaign_id}/calls/{recipient_id}/outcome", response=RecipientOut
)
def call_outcome(request, campaign_id: int, recipient_id: int, payload: CallOutcomeIn):
    campaign = selectors.campaign_get(campaign_id=campaign_id)
    return calls.call_outcome_record(
        by=request.user,
        campaign=campaign,
        recipient_id=recipient_id,
        outcome=payload.outcome,
        note=payload.note,
        callback_at=payload.callback_at,
    )


@router.post("/marketing/campaigns/{campaign_id}/direct-mail")
def direct_mail(request, campaign_id: int, format: str = "csv"):  # noqa: A002 (the query's name)
    """The direct mail's addresses (CSV or XLSX); the first export ledgers them."""
    campaign = selectors.campaign_get(campaign_id=campaign_id)
    name, content = direct_mail_export(by=request.user, campaign=campaign, fmt=format)
    kind = (
        "text/csv; charset=utf-8"
        if name.endswith(".csv")
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response = HttpResponse(content, content_type=kind)
    response["Content-Disposition"] = content_disposition_header(True, name) or "attachment"
    return response


# A segment's targeting and alerts (api/targeting.py), on this router.
from . import targeting as _targeting  # noqa: E402, F401
