"""The background tasks that prepare a bilan, and the document of a large plan and its steps. In development
(ImmediateBackend) they run at once; in production `manage.py db_worker` runs them, and the page that asked
polls their progress."""

from django.core.files.base import ContentFile
from django.utils import timezone
from django_tasks import task

from notifications import notices

from . import plan_steps
from .documents import gather, render_pdf
from .models import Bilan, PlanDocument


@task()
def prepare_bilan(bilan_id):
    """Gather the data, render the PDF and store both on the bilan. Progress and failures are written on
    the bilan itself, which is what the page shows."""
    bilan = Bilan.objects.select_related("plan").get(pk=bilan_id)
    if bilan.is_ready:
        return  # never prepared twice: an adopted bilan is frozen

    def advance(percent, rendering=Bilan.Rendering.RUNNING):
        Bilan.objects.filter(pk=bilan.pk).update(progress=percent, rendering=rendering)

    try:
        advance(5)
        if bilan.is_adopted:  # its frozen data again, with the adoption's mark on every page
            data = bilan.data
        else:
            data = gather(bilan.plan, bilan.starts_on, bilan.ends_on, bilan.texts)  # the acronyms of its texts too
            bilan.generated_at = timezone.now()
        advance(20)
        pdf = render_pdf(data, on_progress=advance, mark=bilan.page_mark())
        bilan.data = data
        replaced = bilan.pdf.name  # an adopted version's draft PDF, which the adopted one replaces
        bilan.pdf.save(bilan.file_name(), ContentFile(pdf), save=False)
        bilan.rendering = Bilan.Rendering.READY
        bilan.progress = 100
        bilan.save(update_fields=["data", "pdf", "rendering", "progress", "generated_at"])
        if replaced and replaced != bilan.pdf.name:
            bilan.pdf.storage.delete(replaced)
        # Ready to read: a draft to the people who adopt it; an adopted one with its mark, to the same people.
        (notices.bilan_adopted if bilan.is_adopted else notices.bilan_ready)(bilan)
    except Exception as error:
        Bilan.objects.filter(pk=bilan.pk).update(rendering=Bilan.Rendering.FAILED, error=repr(error))
        raise


@task()
def prepare_plan_document(document_id):
    """« Le plan et ses étapes réalisées » of a large plan as a PDF, stored on its `PlanDocument`; a failure
    is written on it, which is what its page shows."""
    document = PlanDocument.objects.select_related("plan").filter(pk=document_id).first()
    if document is None or not document.is_pending:
        return  # deleted after a week in a queue that did not run (PlanDocument.KEPT_DAYS), or made already
    PlanDocument.objects.filter(pk=document.pk).update(rendering=Bilan.Rendering.RUNNING)
    try:
        content = plan_steps.render(plan_steps.gather(document.plan, document.starts_on, document.ends_on), document.kind)
        document.file.save(document.file_name(), ContentFile(content), save=False)
        document.rendering = Bilan.Rendering.READY
        document.save(update_fields=["file", "rendering"])
    except Exception as error:
        PlanDocument.objects.filter(pk=document.pk).update(rendering=Bilan.Rendering.FAILED, error=repr(error))
        raise
