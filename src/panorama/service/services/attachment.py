"""Files agents attach to a case's replies and notes: checked (how many, how large,
which kinds) before anything is written, kept with the message, sent with a reply's
e-mail (``services/reply.py``)."""

import mimetypes
import os
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from panorama.core.exceptions import ValidationFailed

from ..models import CaseAttachment, CaseMessage

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
