"""The shared list's own requests: a bulk action over the selected rows, and the edit of
one cell in place. The list is named in the URL; its declaration says what is allowed."""

from django.contrib import messages
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from panorama.core.exceptions import DomainError, PermissionDenied, ValidationFailed
from panorama.core.inline import editor
from panorama.core.lists.actions import BulkReport, bulk_run, clean
from panorama.core.lists.definition import LISTS, ListDefinition
from panorama.core.lists.render import Cell, cell_url, render_list, total_text
from panorama.core.models import BulkJob


def _definition(list_name: str) -> ListDefinition:
    definition = LISTS.get(list_name)
    if definition is None:
        raise Http404
    return definition


def _job_message(request, job: BulkJob) -> None:
    """Without JavaScript, a job's outcome as a message on the list: its report when it
    ran in the request (an undoable or export action on a few rows), else its start."""
    if job.status == BulkJob.Status.FAILED:
        messages.error(request, f"{job.action_label}: {job.error}")
    elif job.finished:
        report = BulkReport(action=job.action_label, done=job.done, deletes=job.deleted_rows)
        report.refused = [(row, reason) for row, reason in job.refused]
        rows = "; ".join(f"{row}: {reason}" for row, reason in report.refused)
        messages.info(
            request, " ".join(filter(None, [f"{job.action_label}:", report.summary, rows]))
        )
    else:
        messages.info(
            request,
            _("%(action)s: %(n)s rows, running in the background.")
            % {"action": job.action_label, "n": f"{job.total:,}"},
        )


@require_POST
def list_bulk(request, list_name: str):
    """Run the chosen action over the selected rows (or every row matching the list's
    query); answer the list drawn again with the report above it (HTMX), or a message
    and the list (without JavaScript)."""
    definition = _definition(list_name)
    query = request.POST.get("query", "")
    data = QueryDict(query)
    action = request.POST.get("action", "")
    result, error = None, ""
    try:
        result = bulk_run(
            definition=definition,
            user=request.user,
            state=definition.state_from(data),
            action_key=action,
            raw_value=request.POST.get(f"value-{action}"),
            ids=request.POST.getlist("ids"),
            everything=request.POST.get("all") == "1",
            query=query,
        )
    except ValidationFailed as exc:
        error = exc.message
    job = result if isinstance(result, BulkJob) else None
    report = result if isinstance(result, BulkReport) else None
    if not request.htmx:
        if job is not None:
            _job_message(request, job)
        elif report is not None:
            messages.info(request, report.summary)
        else:
            messages.error(request, error)
        return redirect(reverse(definition.url_name) + ("?" + query if query else ""))
    rendered = render_list(request, definition, data=data)
    rendered.report = report
    rendered.bulk_job = job
    rendered.bulk_error = error
    rendered.total_text = total_text(definition, request.user, rendered)
    return render(request, "core/list/list.html", {"list": rendered})


@require_GET
def list_bulk_job(request, job_id: int):
    """The progress of one of the user's bulk jobs (polled by the list while it runs;
    its report once finished)."""
    job = BulkJob.objects.filter(pk=job_id, user=request.user).first()
    if job is None:
        raise Http404
    return render(request, "core/list/_bulk_job.html", {"job": job})


@require_http_methods(["GET", "POST"])
def list_cell(request, list_name: str, pk: int, column_key: str):
    """GET: the cell (``?edit=1``: its editor). POST: save through the app's service; the
    cell with its new value, or the editor with the service's message (422)."""
    definition = _definition(list_name)
    column = next((c for c in definition.columns if c.key == column_key), None)
    if column is None or column.edit is None:
        raise Http404
    if not column.edit.allowed(request.user):
        raise PermissionDenied(_("You may not change this."))
    row = definition.row_get(request.user, pk)
    form_field = column.edit.field(request.user)
    link = next((c for c in definition.columns if c.link), None)
    context = {"list_name": definition.name, "pk": pk, "column": column}
    context["label"] = str(link.cell(row)) if link else str(row)
    url = cell_url(definition, pk, column)
    context["url"] = url
    if request.method == "POST":
        raw = request.POST.get("value")
        try:
            value = clean(form_field, raw, column.key)
            column.edit.save(request.user, row, value)
        except DomainError as exc:
            context |= editor(form_field, raw, column.label, error=exc.message)
            # The value the record keeps (read again: the refused write left nothing).
            context["saved"] = column.cell(definition.row_get(request.user, pk))
            return render(request, "core/list/_cell_form.html", context, status=422)
        row = definition.row_get(request.user, pk)
        if link is not None:
            context["label"] = str(link.cell(row))  # the row's new name, if it was that
    elif request.GET.get("edit"):
        context |= editor(form_field, column.edit.initial(row), column.label)
        return render(request, "core/list/_cell_form.html", context)
    context["cell"] = Cell(column, column.cell(row), url)
    if column.link:
        context["row_url"] = definition.row_url(row)  # the name still opens the record
    return render(request, "core/list/_cell.html", context)


@require_POST
def list_bulk_undo(request, job_id: int):
    """Undo one of the user's undoable bulk actions; the list drawn again (as it was
    when the action ran) with the undo's progress or report."""
    from panorama.core.lists.jobs import bulk_job_undo

    job = BulkJob.objects.filter(pk=job_id, user=request.user).first()
    if job is None:
        raise Http404
    definition = _definition(job.list_name)
    undo, error = None, ""
    try:
        undo = bulk_job_undo(user=request.user, job_id=job.pk)
    except DomainError as exc:
        error = exc.message
    if not request.htmx:
        if undo is not None:
            _job_message(request, undo)
        else:
            messages.error(request, error)
        return redirect(reverse(definition.url_name) + ("?" + job.query if job.query else ""))
    rendered = render_list(request, definition, data=QueryDict(job.query))
    rendered.bulk_job = undo
    rendered.bulk_error = error
    rendered.total_text = total_text(definition, request.user, rendered)
    return render(request, "core/list/list.html", {"list": rendered})


@require_GET
def list_bulk_file(request, job_id: int):
    """The file of one of the user's exports (nobody else's), while it has not expired."""
    from django.http import FileResponse

    from panorama.core.lists.jobs import bulk_export_open

    handle, name = bulk_export_open(user=request.user, job_id=job_id)
    return FileResponse(handle, as_attachment=True, filename=name)
