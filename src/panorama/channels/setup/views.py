"""Channel setup outside the Django admin (administrators and managers,
``channels.configure_channels``): sending identities, e-mail templates (with a preview
for a chosen customer), messaging accounts and tracked sites, each a shared list and a
form saved through the same service as the API. A site's page gives the snippets to
paste: tracking and the chat widget."""

from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from panorama.accounts.permissions import ensure_can
from panorama.automation.models import TrackedSite
from panorama.automation.services.tracking import tracked_site_save
from panorama.core.exceptions import DomainError, NotFound
from panorama.core.lists import list_response

from ..models import MailTemplate, MessagingAccount, SendingIdentity
from ..outbound.services import (
    mail_template_get,
    mail_template_preview,
    mail_template_save,
    sending_identity_save,
)
from ..sms.services import messaging_account_save
from .forms import AccountForm, IdentityForm, MailTemplateForm, SiteForm
from .lists import ACCOUNTS, IDENTITIES, MAIL_TEMPLATES, SITES

PERM = "channels.configure_channels"


def _get(model, pk: int, label: str):
    row = model.objects.filter(pk=pk).first()
    if row is None:
        raise NotFound(_("%(what)s %(id)s does not exist.") % {"what": label, "id": pk})
    return row


def _list(request, definition, title: str, new_url: str, new_label: str):
    ensure_can(request.user, PERM)
    return list_response(
        request,
        definition,
        template="channels/setup/list.html",
        context={"title": title, "new_url": reverse(new_url), "new_label": new_label},
    )


def _form_page(request, *, form_class, instance, save, title: str, back: str, extra=None):
    ensure_can(request.user, PERM)
    status = 200
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            try:
                saved = save(form, form.apply(instance))
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                messages.success(request, _("%(name)s saved.") % {"name": saved.name})
                return redirect(back)
        status = 422
    else:
        form = form_class(initial=form_class.initial_of(instance) if instance.pk else None)
    return render(
        request,
        "channels/setup/form.html",
        {"form": form, "title": title, "back": reverse(back), "row": instance, **(extra or {})},
        status=status,
    )


# --- sending identities -------------------------------------------------------------


@require_GET
def identity_list(request):
    return _list(
        request, IDENTITIES, _("Sending identities"), "channels:identity_new", _("New identity")
    )


def _identity(request, identity: SendingIdentity):
    return _form_page(
        request,
        form_class=IdentityForm,
        instance=identity,
        save=lambda form, row: sending_identity_save(
            by=request.user, identity=row, user_ids=form.user_ids()
        ),
        title=identity.name if identity.pk else _("New sending identity"),
        back="channels:identity_list",
    )


@require_http_methods(["GET", "POST"])
def identity_new(request):
    return _identity(request, SendingIdentity())


@require_http_methods(["GET", "POST"])
def identity_edit(request, identity_id: int):
    ensure_can(request.user, PERM)
    return _identity(request, _get(SendingIdentity, identity_id, _("Sending identity")))


# --- e-mail templates --------------------------------------------------------------


@require_GET
def mail_template_list(request):
    return _list(
        request,
        MAIL_TEMPLATES,
        _("E-mail templates"),
        "channels:mail_template_new",
        _("New template"),
    )


def _other_language(template: MailTemplate) -> dict:
    """The same template in the other language: its page, or a new one to write."""
    other = "en" if template.language == "es" else "es"
    twin = MailTemplate.objects.filter(name=template.name, language=other).first()
    if twin is not None:
        return {"twin_url": reverse("channels:mail_template_edit", args=[twin.pk]), "twin": twin}
    query = urlencode({"name": template.name, "language": other})
    label = MailTemplate.Language(other).label
    return {"twin_url": f"{reverse('channels:mail_template_new')}?{query}", "twin_label": label}


def _mail_template(request, template: MailTemplate):
    """Save, or (the "Preview" button) show the text being edited as the chosen customer
    would get it, without saving; an error of either lands beside its field."""
    ensure_can(request.user, PERM)
    preview, status = None, 200
    if request.method == "POST":
        form = MailTemplateForm(request.POST)
        if form.is_valid():
            row = form.apply(template)
            customer_id = form.cleaned_data["preview_customer"]
            try:
                if "preview" in request.POST:
                    if not customer_id:
                        form.add_error("preview_customer", _("Choose a customer to preview for."))
                    else:
                        preview = mail_template_preview(
                            by=request.user, template=row, customer_id=customer_id
                        )
                else:
                    saved = mail_template_save(by=request.user, template=row)
                    messages.success(request, _("%(name)s saved.") % {"name": saved.name})
                    return redirect("channels:mail_template_edit", saved.pk)
            except DomainError as exc:
                form.add_domain_error(exc)
        status = 422 if form.errors else 200
    elif template.pk:
        form = MailTemplateForm(initial=MailTemplateForm.initial_of(template))
    else:
        wanted = {k: request.GET[k] for k in ("name", "language") if request.GET.get(k)}
        form = MailTemplateForm(initial=wanted or None)
    form.mark_errors()
    return render(
        request,
        "channels/setup/mail_template.html",
        {
            "form": form,
            "row": template,
            "title": template.name if template.pk else _("New e-mail template"),
            "back": reverse("channels:mail_template_list"),
            "preview": preview,
            **(_other_language(template) if template.pk else {}),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def mail_template_new(request):
    return _mail_template(request, MailTemplate())


@require_http_methods(["GET", "POST"])
def mail_template_edit(request, template_id: int):
    return _mail_template(request, mail_template_get(by=request.user, template_id=template_id))


# --- messaging accounts -------------------------------------------------------------


@require_GET
def account_list(request):
    return _list(
        request, ACCOUNTS, _("Messaging accounts"), "channels:account_new", _("New account")
    )


def _account(request, account: MessagingAccount):
    webhook = f"/api/v1/channels/messaging/{account.pk}/webhook" if account.pk else ""
    return _form_page(
        request,
        form_class=AccountForm,
        instance=account,
        save=lambda form, row: messaging_account_save(
            by=request.user, account=row, api_key=form.cleaned_data["api_key"]
        ),
        title=account.name if account.pk else _("New messaging account"),
        back="channels:account_list",
        extra={"webhook": request.build_absolute_uri(webhook) if webhook else ""},
    )


@require_http_methods(["GET", "POST"])
def account_new(request):
    return _account(request, MessagingAccount())


@require_http_methods(["GET", "POST"])
def account_edit(request, account_id: int):
    ensure_can(request.user, PERM)
    return _account(request, _get(MessagingAccount, account_id, _("Messaging account")))


# --- tracked sites ------------------------------------------------------------------


@require_GET
def site_list(request):
    return _list(request, SITES, _("Tracked web sites"), "channels:site_new", _("New site"))


def snippets(request, site: TrackedSite) -> dict:
    """The HTML an administrator pastes into the site: tracking and the chat widget,
    both plain JavaScript from our own static files."""
    base = request.build_absolute_uri("/").rstrip("/")
    track = request.build_absolute_uri(static("automation/track.js"))
    chat = request.build_absolute_uri(static("channels/chat-widget.js"))
    return {
        "track_snippet": (
            f'<script src="{track}" data-key="{site.public_key}"'
            + (' data-consent="required"' if site.require_consent else "")
            + " async></script>"
        ),
        "chat_snippet": (
            f'<script src="{chat}" data-site="{site.public_key}" data-base="{base}" defer></script>'
        ),
    }


def _site(request, site: TrackedSite):
    return _form_page(
        request,
        form_class=SiteForm,
        instance=site,
        save=lambda form, row: tracked_site_save(by=request.user, site=row),
        title=site.name if site.pk else _("New tracked site"),
        back="channels:site_list",
        extra=snippets(request, site) if site.pk else {},
    )


@require_http_methods(["GET", "POST"])
def site_new(request):
    return _site(request, TrackedSite())


@require_http_methods(["GET", "POST"])
def site_edit(request, site_id: int):
    ensure_can(request.user, PERM)
    return _site(request, _get(TrackedSite, site_id, _("Tracked site")))
