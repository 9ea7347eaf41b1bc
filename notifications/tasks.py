"""`send_reminders` as a django-tasks task, for a host that runs the tasks worker (`manage.py db_worker`,
which `make serve` starts) rather than cron. django-tasks has no scheduler (its issue #259), so the task
queues its own next run, the next morning at `REMINDERS_AT`: `manage.py send_reminders --every-morning`
queues the first, once; afterwards the worker sends the reminders every day by itself. It is as idempotent
as the command: run twice, it sends nothing twice."""

import datetime

from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskResultStatus

from .reminders import send_reminders

REMINDERS_AT = datetime.time(7, 15)  # local time, before people read their mail


@task()
def send_reminders_task():
    try:
        return send_reminders()
    finally:  # a failed run must not end the series: tomorrow's is queued all the same
        queue_next_morning()


def next_morning(after):
    """The first `REMINDERS_AT` after this moment, in local time."""
    local = timezone.localtime(after)
    day = local.date() if local.time() < REMINDERS_AT else local.date() + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day, REMINDERS_AT))


def queue_next_morning(after=None):
    """Queue the next morning's run unless one is waiting already, so that starting the series twice, or a run
    queued by hand, never doubles it; two started at the same moment (two servers) each keep the earliest
    waiting run and drop the other. Returns when the waiting run goes, or None where the tasks are not kept
    in the database (the immediate backend of development: the command, from cron, sends the reminders)."""
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult, get_date_max

    if not isinstance(send_reminders_task.get_backend(), DatabaseBackend):
        return None
    waiting = DBTaskResult.objects.filter(
        task_path=send_reminders_task.module_path,
        backend_name=send_reminders_task.backend,
        queue_name=send_reminders_task.queue_name,
        status=TaskResultStatus.READY,
        run_after__lt=get_date_max(),  # a run queued by hand for now is not the series
    ).order_by("run_after", "id")
    if not waiting.exists():
        send_reminders_task.using(run_after=next_morning(after or timezone.now())).enqueue()
    first = waiting.first()
    waiting.exclude(pk=first.pk).delete()
    return first.run_after
