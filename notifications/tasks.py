"""`send_reminders` as a django-tasks task, for a worker (`manage.py db_worker`) rather than cron.
django-tasks has no scheduler: whatever starts it (cron, a systemd timer) enqueues it, e.g.
`python manage.py shell -c "from notifications.tasks import send_reminders_task; send_reminders_task.enqueue()"`.
It is as idempotent as the command: enqueued twice, it sends nothing twice."""

from django_tasks import task

from .reminders import send_reminders


@task()
def send_reminders_task():
    return send_reminders()
