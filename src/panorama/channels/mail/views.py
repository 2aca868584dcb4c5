"""The inbound mail pages: mailboxes (administrators configure, managers read the
ledgers, an owner his own mailbox's), a mailbox's ledger with its retry, the unknown
senders to link or create."""

from django.contrib import messages
from django.db import transaction
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from panorama.accounts.permissions import can, ensure_can
from panorama.core.exceptions import DomainError, ValidationFailed
from panorama.customers.models import Identity
from panorama.customers.selectors import customers_matching, identify
from panorama.customers.services.customer import CustomerData, IdentityData, customer_create

from . import selectors, services
from .forms import MailboxForm, SenderCustomerForm
from .models import Mailbox, MailEntry


@require_GET
def mailbox_list(request):
    return render(
        request,
        "channels/mail/mailboxes.html",
        {
            "mailboxes": selectors.mailboxes(user=request.user),
            "may_configure": can(request.user, "channels.configure_mailboxes"),
            "may_link": can(request.user, "channels.link_sender"),
            "own_only": not selectors.reads_every_ledger(request.user),
        },
    )


def _mailbox_form(request, mailbox: Mailbox):
    ensure_can(request.user, "channels.configure_mailboxes")
    status = 200
    if request.method == "POST":
        form = MailboxForm(request.POST)
        if form.is_valid():
            try:
                saved = services.mailbox_save(
                    by=request.user,
                    mailbox=form.apply(mailbox),
                    password=form.cleaned_data["password"],
                )
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                messages.success(request, _("Mailbox %(name)s saved.") % {"name": saved.name})
                return redirect("channels:mailbox_list")
        status = 422
    else:
        form = MailboxForm(initial=MailboxForm.initial_of(mailbox) if mailbox.pk else None)
    return render(
        request,
        "channels/mail/mailbox_form.html",
        {"form": form, "mailbox": mailbox},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def mailbox_create(request):
    return _mailbox_form(request, Mailbox())


@require_http_methods(["GET", "POST"])
def mailbox_edit(request, mailbox_id: int):
    ensure_can(request.user, "channels.configure_mailboxes")
    return _mailbox_form(request, services.mailbox_get(mailbox_id=mailbox_id))


@require_POST
def mailbox_test(request, mailbox_id: int):
    try:
        count = services.mailbox_test(by=request.user, mailbox_id=mailbox_id)
    except ValidationFailed as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request, _("Connected: the folder holds %(count)s messages.") % {"count": count}
        )
    return redirect("channels:mailbox_list")


@require_POST
def mailbox_sync(request, mailbox_id: int):
    services.mailbox_sync(by=request.user, mailbox_id=mailbox_id)
    messages.success(request, _("The mailbox will be polled now; the ledger shows the result."))
    return redirect("channels:mailbox_ledger", mailbox_id)


@require_GET
def mailbox_ledger(request, mailbox_id: int):
    mailbox = selectors.mailbox_for_ledger(user=request.user, mailbox_id=mailbox_id)
    status = request.GET.get("status", "")
    if status not in MailEntry.Status.values:
        status = ""
    page = selectors.ledger(
        user=request.user,
        mailbox_id=mailbox.pk,
        status=status,
        cursor=request.GET.get("cursor", "")[:200],
    )
    return render(
        request,
        "channels/mail/ledger.html",
        {
            "mailbox": mailbox,
            "page": page,
            "status": status,
            "statuses": MailEntry.Status.choices,
            "may_configure": can(request.user, "channels.configure_mailboxes"),
        },
    )


@require_POST
def mail_retry(request, entry_id: int):
    entry = services.mail_entry_retry(by=request.user, entry_id=entry_id)
    if entry.status == MailEntry.Status.FAILED:
        messages.error(request, _("The message failed again: %(error)s") % {"error": entry.detail})
    else:
        messages.success(
            request, _("The message is now: %(status)s.") % {"status": entry.get_status_display()}
        )
    if entry.mailbox_id:
        return redirect("channels:mailbox_ledger", entry.mailbox_id)
    return redirect("channels:mailbox_list")


@require_GET
def unknown_senders(request):
    senders = selectors.unknown_senders(user=request.user)
    return render(
        request,
        "channels/unknown.html",
        {
            "title": _("Unknown senders"),
            "subtitle": _(
                "Messages from addresses no customer has: link each sender to a customer, "
                "or create one."
            ),
            "caption": _("Unknown senders, most recent first"),
            "key_label": _("Sender"),
            "extra_label": _("Last subject"),
            "extra_numeric": False,
            "detail_url": reverse("channels:unknown_sender_detail"),
            "key_param": "address",
            "blank_key": _("(no address)"),
            "empty_icon": "bi-person-check",
            "empty_title": _("No unknown senders"),
            "empty_text": _("Every message received so far came from a known customer."),
            "rows": [
                {
                    "key": sender.address,
                    "name": sender.name,
                    "messages": sender.messages,
                    "extra": Truncator(sender.last_subject or "—").chars(80),
                    "last_at": sender.last_at,
                }
                for sender in senders
            ],
        },
    )


def _address(request) -> str:
    return (request.POST.get("address") or request.GET.get("address") or "")[:320].strip()


@require_GET
def unknown_sender_detail(request):
    address = _address(request)
    entries = selectors.unknown_messages(user=request.user, address=address)
    return render(
        request,
        "channels/mail/unknown_detail.html",
        {
            "address": address,
            "entries": entries,
            "customer_form": SenderCustomerForm(
                initial={"first_name": entries[0].from_name if entries else ""}
            ),
        },
    )


@require_GET
def unknown_sender_find(request):
    """Customers matching what was typed, each with a "link" button (HTMX)."""
    ensure_can(request.user, "channels.link_sender")
    text = request.GET.get("q", "").replace("\x00", "").strip()[:100]
    found = []
    if len(text) >= 2:
        found = [m.customer for m in identify(user=request.user, value=text)] or list(
            customers_matching(user=request.user, search=text).order_by("search_name", "id")[:8]
        )
    return render(
        request,
        "channels/mail/_find.html",
        {"found": found[:8], "q": text, "address": _address(request)},
    )


@require_POST
def unknown_sender_link(request):
    address = _address(request)
    customer_id = request.POST.get("customer", "")
    if not customer_id.isdigit() or len(customer_id) > 18:
        messages.error(request, _("Choose a customer."))
        return redirect(f"{_detail_url()}?address={address}")
    count = services.mail_sender_link(
        by=request.user, from_address=address, customer_id=int(customer_id)
    )
    messages.success(request, _("%(count)s messages given to the customer.") % {"count": count})
    return redirect("customers:detail", int(customer_id))


def _detail_url() -> str:
    from django.urls import reverse

    return reverse("channels:unknown_sender_detail")


@require_POST
def unknown_sender_create(request):
    """A new customer for an unknown sender, then his messages go to him."""
    address = _address(request)
    entries = selectors.unknown_messages(user=request.user, address=address)
    form = SenderCustomerForm(request.POST)
    if form.is_valid():
        try:
            with transaction.atomic():
                customer, count = _create_and_link(request, form, address)
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(
                request,
                _("Customer %(name)s created; %(count)s messages given to him.")
                % {"name": customer, "count": count},
            )
            return redirect("customers:detail", customer.pk)
    return render(
        request,
        "channels/mail/unknown_detail.html",
        {"address": address, "entries": entries, "customer_form": form},
        status=422,
    )


def _create_and_link(request, form, address: str):
    customer = customer_create(
        data=CustomerData(
            first_name=form.cleaned_data["first_name"],
            last_name=form.cleaned_data["last_name"],
            identities=[IdentityData(kind=Identity.Kind.EMAIL, value=address, is_primary=True)],
        ),
        by=request.user,
    )
    count = services.mail_sender_link(
        by=request.user, from_address=address, customer_id=customer.pk, remember=False
    )
    return customer, count


@require_GET
def mail_attachment(request, attachment_id: int):
    attachment = selectors.attachment_get(user=request.user, attachment_id=attachment_id)
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.filename,
        content_type="application/octet-stream",
    )
