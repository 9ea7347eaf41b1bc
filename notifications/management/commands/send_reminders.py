"""Send what is due today: each partner's digest when their period has come (monthly by default), the
coordination's weekly digest, the grouped notice of new steps to validate. For cron, e.g. every morning:

    15 7 * * *  cd /srv/chantier && .venv/bin/python manage.py send_reminders

Running it twice, even at the same time, sends nothing twice (the sent-log, `notifications.Reminder`,
where each run claims its emails before sending them); an email that failed is retried by the next run and
counted in the exit status; one held by a run that died is sent by a run an hour later or more. `--plan SLUG` for one plan, `--dry-run` to see
who would get what without sending or recording anything. `--every-morning` sends nothing now: it hands
the reminders to the tasks worker, which then sends them every morning by itself (notifications/tasks.py).
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from plans.models import Plan

from ...models import Reminder
from ...reminders import send_reminders
from ...tasks import queue_next_morning


class Command(BaseCommand):
    help = "Envoie les rappels dus aujourd’hui (une seule fois par période) ; réessaie ceux qui ont échoué."

    def add_arguments(self, parser):
        parser.add_argument("--plan", help="l’identifiant d’un plan (tous les plans ouverts par défaut)")
        parser.add_argument("--dry-run", action="store_true", help="n’envoie ni n’enregistre rien")
        parser.add_argument(
            "--every-morning", action="store_true",
            help="confie les rappels au processus des tâches (db_worker), qui les enverra chaque matin",
        )

    def handle(self, *args, plan=None, dry_run=False, every_morning=False, **options):
        if every_morning:
            if plan or dry_run:
                raise CommandError("--every-morning vaut pour tous les plans, pour de vrai : sans --plan ni --dry-run.")
            when = queue_next_morning()
            if when is None:
                raise CommandError(
                    "Ce réglage des tâches (TASKS_BACKEND) ne peut rien différer : lancez « manage.py send_reminders » "
                    "chaque matin (cron)."
                )
            next_run = timezone.localtime(when)
            self.stdout.write(f"Rappels confiés au processus des tâches : prochain envoi le {next_run:%Y-%m-%d à %H:%M}, puis chaque matin.")
            return
        plans = Plan.objects.active()
        if plan:
            plans = plans.filter(slug=plan)
            if not plans.exists():
                raise CommandError(f"Aucun plan ouvert « {plan} ».")
        if dry_run:
            with transaction.atomic():
                from django.core import mail  # noqa: PLC0415

                with self.settings_locmem():
                    sent = send_reminders(plans=plans)
                    outbox = list(mail.outbox)
                transaction.set_rollback(True)
            for email in outbox:
                self.stdout.write(f"{email.to[0]} : {email.subject}")
            self.stdout.write(f"{sum(sent.values())} courriel(s) seraient envoyés ; rien n’est envoyé ni enregistré.")
            return
        sent = send_reminders(plans=plans)
        for slug, count in sent.items():
            self.stdout.write(f"{slug} : {count} courriel(s) envoyé(s).")
        failed = Reminder.objects.filter(plan__in=plans, sent_at__isnull=True, attempts__gt=0).count()
        if failed:
            raise CommandError(f"{failed} courriel(s) non envoyé(s) : ils seront réessayés au prochain passage.")

    def settings_locmem(self):
        from django.core import mail  # noqa: PLC0415
        from django.test.utils import override_settings  # noqa: PLC0415

        mail.outbox = []
        return override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
