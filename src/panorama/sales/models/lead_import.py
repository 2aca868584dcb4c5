from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LeadImport(models.Model):
    """A file of leads (CSV/XLSX) read with the customers import's file reading, its
    columns mapped to lead fields, run row by row by the task worker (in batches, each
    committed with its progress and heartbeat, as the customers import); rejected rows
    are kept for the report; the import can be undone while its leads are untouched."""

    class Status(models.TextChoices):
        MAPPING = "mapping", _("Waiting for the mapping")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        UNDONE = "undone", _("Undone")

    file = models.FileField(_("file"), upload_to="lead-imports/%Y/%m/", blank=True)
    original_name = models.CharField(_("file name"), max_length=255)
    file_format = models.CharField(_("format"), max_length=8)
    encoding = models.CharField(_("encoding"), max_length=20, blank=True)
    delimiter = models.CharField(_("delimiter"), max_length=1, blank=True)
    headers = models.JSONField(_("columns"), default=list)
    preview = models.JSONField(_("first rows"), default=list, blank=True)
    mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    assign_by_rules = models.BooleanField(_("assign by the rules"), default=False)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.MAPPING
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    # Rows of the file read so far (blank ones too): committed with each batch, so a run
    # that stops half-way is resumed at the next row.
    processed_rows = models.PositiveIntegerField(_("processed rows"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    rejected_count = models.PositiveIntegerField(_("rejected"), default=0)
    undo_deleted_count = models.PositiveIntegerField(_("removed by the undo"), default=0)
    undo_kept_count = models.PositiveIntegerField(_("kept by the undo"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    error = models.TextField(_("error"), blank=True)
    # The process running the job and its last sign of life (one per batch): the task
    # worker's sweep resumes a job whose process is gone (``lead_imports_recover``).
    worker = models.CharField(_("worker"), max_length=64, blank=True)
    restarts = models.PositiveSmallIntegerField(_("restarts"), default=0)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("lead import")
        verbose_name_plural = _("lead imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.original_name


class LeadImportRow(models.Model):
    """A rejected row: its cells as read and every problem found."""

    lead_import = models.ForeignKey(
        LeadImport, on_delete=models.CASCADE, related_name="rejected_rows"
    )
    row_number = models.PositiveIntegerField(_("row"))
    cells = models.JSONField(_("cells"), default=list)
    message = models.TextField(_("problems"))  # every problem, one after the other
    # Every problem of the row: [{"field": the file's column, "message": …}].
    problems = models.JSONField(_("problems"), default=list, blank=True)

    class Meta:
        verbose_name = _("rejected lead row")
        verbose_name_plural = _("rejected lead rows")
        ordering = ["row_number", "id"]

    def __str__(self) -> str:
        return f"{self.row_number}: {self.message}"
