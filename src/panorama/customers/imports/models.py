"""The import workflow's records: the job, its rejected rows and its undo records.

They belong to the ``customers`` app: ``customers.models`` imports them, so Django
registers them there and ``customers.models`` names every model of the app."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportJob(models.Model):
    """A customer import from a CSV/XLSX file: runs as a background task, can be undone."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        UNDOING = "undoing", _("Being undone")
        UNDONE = "undone", _("Undone")

    file = models.FileField(_("file"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    # What the upload check found, so the run reads the file the same way.
    file_format = models.CharField(_("format"), max_length=8, blank=True)
    encoding = models.CharField(_("encoding"), max_length=20, blank=True)
    delimiter = models.CharField(_("delimiter"), max_length=1, blank=True)
    mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    # The file's header row as read: the columns of the rejected-rows report.
    headers = models.JSONField(_("columns"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default="pending")
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("processed rows"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    # Rows that matched a customer and left it as it was (a file imported again).
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    rejected_count = models.PositiveIntegerField(_("rejected"), default=0)
    # Of the rejected rows, those without identifier that look like a customer already
    # there (same name, nothing to tell them apart): reported, not created twice.
    possible_duplicate_count = models.PositiveIntegerField(_("possible duplicates"), default=0)
    error = models.TextField(_("error"), blank=True)
    # The wizard's dry run of the file with its mapping, before it is started:
    # {"status": running|done|failed, "mapping", "total", "processed", "create",
    # "update", "unchanged", "reject", "problems": the first rejections, "error"}.
    dry_run = models.JSONField(_("dry run"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Null while the mapping waits for review in the wizard; set when the task is queued.
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)
    # When the stored file and the rejected rows were deleted (undone, or past the
    # retention): the job's record and its undo records stay.
    files_deleted_at = models.DateTimeField(_("file deleted at"), null=True, blank=True)
    # The undo runs in batches like the import: what it has to do, has done, and found.
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    undo_total = models.PositiveIntegerField(_("customers to undo"), default=0)
    undo_processed = models.PositiveIntegerField(_("customers undone"), default=0)
    undo_deleted = models.PositiveIntegerField(_("deleted"), default=0)
    undo_restored = models.PositiveIntegerField(_("restored"), default=0)
    undo_kept = models.PositiveIntegerField(_("kept"), default=0)
    undo_conflicts = models.PositiveIntegerField(_("not restored"), default=0)
    undo_error = models.TextField(_("undo error"), blank=True)
    # The process running it (``core.jobs.process_tag``) and when it last committed a
    # batch: the task worker finds an interrupted import by them and resumes it
    # (``services.jobs.import_jobs_recover``), at most ``MAX_RESTARTS`` times.
    worker = models.CharField(_("worker"), max_length=64, blank=True)
    restarts = models.PositiveSmallIntegerField(_("restarts"), default=0)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.status})"


class ImportRowError(models.Model):
    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="row_errors")
    row_number = models.PositiveIntegerField(_("row"))
    field = models.CharField(_("field"), max_length=100, blank=True)  # of the first problem
    message = models.TextField(_("message"))  # every problem, one after the other
    # Every problem of the row: [{"field": the file's column, "message": …}].
    problems = models.JSONField(_("problems"), default=list, blank=True)
    # The row as read, every column of the header (the job's ``headers``).
    cells = models.JSONField(_("row"), default=list, blank=True)

    class Meta:
        ordering = ["row_number", "id"]

    def __str__(self) -> str:
        return f"{self.job_id}:{self.row_number} {self.field}"


class ImportChange(models.Model):
    """What an import changed on an existing customer, so undo can restore it. (The
    customers an import created carry the job themselves: ``Customer.import_job``.)"""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="changes")
    customer = models.ForeignKey("Customer", on_delete=models.CASCADE, related_name="+")
    before = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"{self.job_id}: updated {self.customer_id}"


class ImportUndoNote(models.Model):
    """What the undo of an import left in place, and why: a created customer kept because
    records were added to it since, a field someone changed since the import, a customer
    merged since. The undo report of the job."""

    class Kind(models.TextChoices):
        KEPT = "kept", _("Kept")
        CONFLICT = "conflict", _("Not restored")
        MERGED = "merged", _("Merged since")

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="undo_notes")
    # A plain id, not a foreign key: a note is not a record of the customer (a merge
    # would move it, an undo would count it) and outlives a customer deleted later.
    customer_id = models.BigIntegerField()
    customer_name = models.CharField(max_length=255, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    field = models.CharField(max_length=100, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.job_id}: {self.kind} {self.customer_id} {self.field}"
