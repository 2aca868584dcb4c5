"""Files agents attach to a case's replies and notes: checked (how many, how large,
which kinds) before anything is written, kept with the message, sent with a reply's
e-mail (``services/reply.py``), named on the reply's timeline entry, and removed (softly)
by an agent when attached by mistake."""

import mimetypes
import os
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.accounts.permissions import ensure_can
from panorama.channels.models import Interaction
from panorama.channels.services import interaction_metadata_merge, interaction_record
from panorama.core.events import emit
from panorama.core.exceptions import Conflict, NotFound, ValidationFailed

from ..models import CaseAttachment, CaseMessage
from ..selectors import case_get

MAX_FILES = 5
# Documents, images, spreadsheets, text and archives; never programs or scripts.
ALLOWED_EXTENSIONS = [
    *(".pdf", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".txt", ".csv", ".doc", ".docx"),
    *(".xls", ".xlsx", ".odt", ".ods", ".odp", ".ppt", ".pptx", ".rtf", ".zip", ".eml"),
]


@dataclass
class Upload:
    name: str
    content: bytes
    content_type: str


def max_bytes() -> int:
    return settings.PANORAMA_CASE_ATTACHMENT_MAX_BYTES


def uploads_check(files) -> list[Upload]:
    """Uploaded files (Django's, or ``(name, bytes[, type])``) as ``Upload``s, or a
    ValidationFailed on ``attachments`` naming the file and the rule it breaks."""
    files = list(files or ())
    if len(files) > MAX_FILES:
        raise ValidationFailed(
            _("Attach at most %(n)s files to one message.") % {"n": MAX_FILES},
            field="attachments",
        )
    uploads = []
    for item in files:
        if isinstance(item, Upload):  # already checked (a new case's files)
            item = (item.name, item.content)
        if isinstance(item, tuple | list):
            name, content = item[0], item[1]
            size = len(content)
        else:  # an uploaded file: its size is known before it is read
            name, content, size = item.name, None, item.size
        name = os.path.basename(str(name or "").replace("\\", "/")).strip()[:200]
        extension = os.path.splitext(name)[1].lower()
        if not name or extension not in ALLOWED_EXTENSIONS:
            raise ValidationFailed(
                _("%(name)s cannot be attached: only %(kinds)s files are accepted.")
                % {"name": name or '""', "kinds": ", ".join(e[1:] for e in ALLOWED_EXTENSIONS)},
                field="attachments",
            )
        if size > max_bytes():
            raise ValidationFailed(
                _("%(name)s is too large (%(size)s): at most %(limit)s per file.")
                % {
                    "name": name,
                    "size": filesizeformat(size),
                    "limit": filesizeformat(max_bytes()),
                },
                field="attachments",
            )
        if content is None:
            content = item.read()
        guessed = mimetypes.guess_type(name)[0] or "application/octet-stream"
        uploads.append(Upload(name, bytes(content), guessed))
    return uploads


def attachments_save(message: CaseMessage, uploads: list[Upload]) -> list[CaseAttachment]:
    saved = []
    for upload in uploads:
        attachment = CaseAttachment(
            message=message,
            filename=upload.name,
            content_type=upload.content_type,
            size=len(upload.content),
        )
        attachment.file.save(upload.name, ContentFile(upload.content), save=False)
        attachment.save()
        saved.append(attachment)
    return saved


def timeline_files(message: CaseMessage) -> None:
    """Name the message's files on its timeline entry (``metadata.files``: the ficha
    shows how many and their names); after a removal, the ones left."""
    interaction_id = message.interaction_id
    files = list(message.attachments.all()) if interaction_id else []
    if interaction_id and files:
        names = [a.filename for a in files if a.removed_at is None]
        interaction_metadata_merge(interaction_id=interaction_id, values={"files": names})


@transaction.atomic
def case_attachment_remove(*, by: User | None, case_id: int, attachment_id: int) -> CaseAttachment:
    """Remove a file attached by mistake to a reply or note of a case ``by`` may change:
    it is no longer listed nor downloadable (a reply's e-mail already sent keeps it);
    who removed it and when stay on the file and on the customer's timeline (an
    internal note). A case not visible, or a file not of it: 404; removed already: 409."""
    ensure_can(by, "service.edit")
    case = case_get(user=by, case_id=case_id, for_update=True)
    attachment = (
        CaseAttachment.objects.select_for_update(of=("self",))
        .select_related("message", "removed_by")
        .filter(pk=attachment_id, message__case=case)
        .first()
    )
    if attachment is None:
        raise NotFound(_("Attachment %(id)s does not exist.") % {"id": attachment_id})
    if attachment.removed_at is not None:
        raise Conflict(
            _("%(name)s was already removed by %(user)s on %(when)s.")
            % {
                "name": attachment.filename,
                "user": (
                    attachment.removed_by.get_full_name() or attachment.removed_by.username
                    if attachment.removed_by
                    else _("the system")
                ),
                "when": formats.date_format(
                    timezone.localtime(attachment.removed_at), "SHORT_DATETIME_FORMAT"
                ),
            },
            field="attachment",
        )
    attachment.removed_at = timezone.now()
    attachment.removed_by = by
    attachment.save(update_fields=["removed_at", "removed_by"])
    message = attachment.message
    timeline_files(message)
    interaction_record(
        customer_id=case.customer_id,
        by=None,
        agent=by,
        channel=Interaction.Channel.NOTE,
        direction=Interaction.Direction.INTERNAL,
        subject=(
            _("Case %(ref)s: file %(name)s removed")
            % {"ref": case.reference, "name": attachment.filename}
        )[:200],
        body=_("Attached to the %(kind)s of %(when)s; %(size)s.")
        % {
            "kind": message.get_kind_display().lower(),
            "when": formats.date_format(
                timezone.localtime(message.created_at), "SHORT_DATETIME_FORMAT"
            ),
            "size": filesizeformat(attachment.size),
        },
        related=case,
        metadata={"kind": "case", "attachment_id": attachment.pk, "removed": attachment.filename},
    )
    emit(
        "case.attachment_removed",
        case_id=case.pk,
        customer_id=case.customer_id,
        attachment_id=attachment.pk,
        message_id=message.pk,
        filename=attachment.filename,
        by=by.pk if by else None,
    )
    return attachment


@transaction.atomic
def case_attachment_restore(*, by: User | None, case_id: int, attachment_id: int) -> CaseAttachment:
    """Put back a file removed from a case ``by`` may change: listed and downloadable
    again, the restore on the customer's timeline (an internal note) and in
    ``case.attachment_restored``. A case not visible, or a file not of it: 404; a file
    not removed: 409."""
    ensure_can(by, "service.edit")
    case = case_get(user=by, case_id=case_id, for_update=True)
    attachment = (
        CaseAttachment.objects.select_for_update(of=("self",))
        .select_related("message")
        .filter(pk=attachment_id, message__case=case)
        .first()
    )
    if attachment is None:
        raise NotFound(_("Attachment %(id)s does not exist.") % {"id": attachment_id})
    if attachment.removed_at is None:
        raise Conflict(
            _("%(name)s is not removed: there is nothing to restore.")
            % {"name": attachment.filename},
            field="attachment",
        )
    attachment.removed_at, attachment.removed_by = None, None
    attachment.save(update_fields=["removed_at", "removed_by"])
    timeline_files(attachment.message)
    interaction_record(
        customer_id=case.customer_id,
        by=None,
        agent=by,
        channel=Interaction.Channel.NOTE,
        direction=Interaction.Direction.INTERNAL,
        subject=(
            _("Case %(ref)s: file %(name)s restored")
            % {"ref": case.reference, "name": attachment.filename}
        )[:200],
        related=case,
        metadata={"kind": "case", "attachment_id": attachment.pk, "restored": attachment.filename},
    )
    emit(
        "case.attachment_restored",
        case_id=case.pk,
        customer_id=case.customer_id,
        attachment_id=attachment.pk,
        message_id=attachment.message_id,
        filename=attachment.filename,
        by=by.pk if by else None,
    )
    return attachment
