"""The agents' chat pages: the queue (waiting, mine, offline messages, closed; unread
counts; fetched again by htmx when its stream says it changed), one conversation (live
by server-sent events, polling otherwise) with take, reply, transfer, close, and linking
an unknown visitor to a customer (found or created, as on the unknown senders' page)."""

import time

from django.contrib import messages
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from panorama.accounts.permissions import can, ensure_can
from panorama.core.exceptions import DomainError, ValidationFailed
from panorama.customers.models import Identity
from panorama.customers.selectors import customers_matching, identify
from panorama.customers.services.customer import CustomerData, IdentityData, customer_create

from ..mail.forms import SenderCustomerForm
from . import selectors, services
from .stream import start_after, stream_response

TABS = ("waiting", "mine", "offline", "closed")
QUEUE_CHECK_SECONDS = 1.0  # how often an open queue page's stream looks for a change


@require_GET
def chat_queue(request):
    ensure_can(request.user, "channels.chat")
    services.chat_presence_touch(user=request.user)
    tab = request.GET.get("tab", "waiting")
    if tab not in TABS:
        tab = "waiting"
    context = {
        "tab": tab,
        "tabs": [
            ("waiting", _("Waiting")),
            ("mine", _("Mine")),
            ("offline", _("Offline messages")),
            ("closed", _("Closed")),
        ],
        "conversations": selectors.chat_queue(user=request.user, tab=tab).order_by(
            "-started_at", "-id"
        )[:100],
        "counts": selectors.queue_counts(user=request.user),
        "version": selectors.queue_version(user=request.user),
    }
    template = "channels/chat/_queue.html" if request.htmx else "channels/chat/queue.html"
    return render(request, template, context)


@require_GET
def chat_queue_stream(request):
    """Server-sent ``message`` events, each meaning "the queue changed": a chat came in,
    was written in, taken, transferred or closed. It compares ``queue_version`` with the
    one the page was drawn with (``?v=``) once a second; the page then fetches the queue
    (htmx). While it is open the agent is on line (as while the page polled)."""
    ensure_can(request.user, "channels.chat")
    user = request.user
    state = {"version": request.GET.get("v", ""), "checked": 0.0}

    def fetch(after: int) -> list[dict]:
        now = time.monotonic()
        if now - state["checked"] < QUEUE_CHECK_SECONDS:
            return []
        state["checked"] = now
        version = selectors.queue_version(user=user)
        if version == state["version"]:
            return []
        state["version"] = version
        return [{"id": after + 1}]

    return stream_response(
        after=start_after(request),
        fetch=fetch,
        tick=lambda: services.chat_presence_touch(user=user),
    )


def _detail_context(request, conversation, **extra) -> dict:
    found = extra.pop("found", [])
    return {
        "conversation": conversation,
        "rows": selectors.message_rows(conversation_id=conversation.pk, after=0, for_agent=True),
        "agents": [a for a in selectors.chat_agents() if a.pk != conversation.agent_id],
        "mine": conversation.agent_id == request.user.pk,
        "may_link": can(request.user, "channels.link_sender") and not conversation.customer_id,
        "customer_form": extra.pop("customer_form", None)
        or SenderCustomerForm(initial={"first_name": conversation.name}),
        "found": found,
        **extra,
    }


@require_GET
def chat_detail(request, conversation_id: int):
    ensure_can(request.user, "channels.chat")
    services.chat_presence_touch(user=request.user)
    conversation = services.conversation_get(user=request.user, conversation_id=conversation_id)
    text = request.GET.get("q", "").replace("\x00", "").strip()[:100]
    found = []
    if len(text) >= 2:
        found = [m.customer for m in identify(user=request.user, value=text)] or list(
            customers_matching(user=request.user, search=text).order_by("search_name", "id")[:8]
        )
    context = _detail_context(request, conversation, found=found[:8], q=text)
    last = context["rows"][-1]["id"] if context["rows"] else 0
    services.chat_mark_read(by=request.user, conversation=conversation, message_id=last)
    return render(request, "channels/chat/detail.html", context)


@require_GET
def chat_stream(request, conversation_id: int):
    ensure_can(request.user, "channels.chat")
    conversation = services.conversation_get(user=request.user, conversation_id=conversation_id)
    user = request.user

    def fetch(after: int) -> list[dict]:
        rows = selectors.message_rows(conversation_id=conversation.pk, after=after, for_agent=True)
        if rows:
            services.chat_mark_read(by=user, conversation=conversation, message_id=rows[-1]["id"])
        return rows

    return stream_response(
        after=start_after(request),
        fetch=fetch,
        tick=lambda: services.chat_presence_touch(user=user),
    )


@require_GET
def chat_messages(request, conversation_id: int):
    ensure_can(request.user, "channels.chat")
    services.chat_presence_touch(user=request.user)
    conversation = services.conversation_get(user=request.user, conversation_id=conversation_id)
    rows = selectors.message_rows(
        conversation_id=conversation.pk, after=start_after(request), for_agent=True
    )
    if rows:
        services.chat_mark_read(
            by=request.user, conversation=conversation, message_id=rows[-1]["id"]
        )
    return JsonResponse({"messages": rows})


@require_POST
def chat_reply(request, conversation_id: int):
    """The reply box posts here (fetch, JSON back); the stream shows the message."""
    try:
        message = services.chat_reply(
            by=request.user, conversation_id=conversation_id, body=request.POST.get("body", "")
        )
    except DomainError as exc:
        return JsonResponse({"detail": str(exc.message), "code": exc.code}, status=exc.status_code)
    return JsonResponse({"id": message.pk}, status=201)


@require_POST
def chat_take(request, conversation_id: int):
    services.chat_take(by=request.user, conversation_id=conversation_id)
    return redirect("channels:chat_detail", conversation_id)


@require_POST
def chat_transfer(request, conversation_id: int):
    to = request.POST.get("to", "")
    if not to.isdigit() or len(to) > 18:
        raise ValidationFailed(_("Choose an active agent who answers chats."), field="to")
    conversation = services.chat_transfer(
        by=request.user, conversation_id=conversation_id, to_user_id=int(to)
    )
    messages.success(request, _("Chat passed to %(name)s.") % {"name": conversation.agent})
    return redirect("channels:chat_queue")


@require_POST
def chat_close(request, conversation_id: int):
    conversation = services.chat_close(by=request.user, conversation_id=conversation_id)
    if conversation.interaction_id:
        messages.success(request, _("Chat closed and added to the customer's timeline."))
    else:
        messages.success(request, _("Chat closed. Link the visitor to a customer to keep it."))
    return redirect("channels:chat_detail", conversation_id)


@require_POST
def chat_link(request, conversation_id: int):
    customer_id = request.POST.get("customer", "")
    if not customer_id.isdigit() or len(customer_id) > 18:
        messages.error(request, _("Choose a customer."))
        return redirect("channels:chat_detail", conversation_id)
    services.chat_link(
        by=request.user, conversation_id=conversation_id, customer_id=int(customer_id)
    )
    messages.success(request, _("Chat given to the customer."))
    return redirect("channels:chat_detail", conversation_id)


@require_POST
def chat_create_customer(request, conversation_id: int):
    """A new customer for an unknown visitor (his e-mail and phone as identities)."""
    ensure_can(request.user, "channels.link_sender")
    conversation = services.conversation_get(user=request.user, conversation_id=conversation_id)
    form = SenderCustomerForm(request.POST)
    if form.is_valid():
        identities = [
            IdentityData(kind=kind, value=value, is_primary=True)
            for kind, value in (
                (Identity.Kind.EMAIL, conversation.email),
                (Identity.Kind.PHONE, conversation.phone),
            )
            if value
        ]
        try:
            with transaction.atomic():
                customer = customer_create(
                    data=CustomerData(
                        first_name=form.cleaned_data["first_name"],
                        last_name=form.cleaned_data["last_name"],
                        identities=identities,
                    ),
                    by=request.user,
                )
                services.chat_link(
                    by=request.user, conversation_id=conversation.pk, customer_id=customer.pk
                )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Customer %(name)s created.") % {"name": customer})
            return redirect("channels:chat_detail", conversation.pk)
    return render(
        request,
        "channels/chat/detail.html",
        _detail_context(request, conversation, customer_form=form),
        status=422,
    )
