"""Check, not a timing: two `send_reminders` started at the same moment, in two processes, on a plan of
200 actions, 20 organisations, 60 partners and 5 coordinators, send each email once. The mail backend
writes one line per email to a shared file and waits 50 ms per email, so that the two runs overlap
while they send; the check then counts the lines per recipient and subject.

    .venv/bin/python bench/reminders_at_once.py            # a throwaway SQLite database in /tmp
    DATABASE_URL=postgres://… .venv/bin/python bench/reminders_at_once.py   # a PostgreSQL database of yours

Exits non-zero when an email went twice.
"""

import collections
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{tempfile.mkdtemp()}/at-once.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chantier.settings")
os.environ["EMAIL_BACKEND"] = "__main__.SlowLineBackend"

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.mail.backends.base import BaseEmailBackend  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from notifications.models import Reminder  # noqa: E402
from notifications.reminders import send_reminders  # noqa: E402
from plans.models import Action, Plan, PlanRole, Role  # noqa: E402
from suivi.models import Step  # noqa: E402
from tests.factories import make_plan  # noqa: E402

from bench.reminders import people  # noqa: E402


class SlowLineBackend(BaseEmailBackend):
    """One line per email, « recipient <tab> subject », appended to $AT_ONCE_OUTBOX; 50 ms per email."""

    def send_messages(self, messages):
        with open(os.environ["AT_ONCE_OUTBOX"], "a", encoding="utf-8") as outbox:
            for message in messages:
                time.sleep(0.05)
                outbox.write(f"{message.to[0]}\t{message.subject}\n")
                outbox.flush()
        return len(messages)


def build():
    call_command("migrate", verbosity=0)
    slug = f"a-la-fois-{int(time.time())}"
    plan = make_plan(slug, actions=200, organisations=20)
    coordinators = get_user_model().objects.bulk_create(
        get_user_model()(username=f"{slug}-coordo-{n}", email=f"{slug}-coordo-{n}@example.org") for n in range(5)
    )
    PlanRole.objects.bulk_create(PlanRole(plan=plan, user=user, role=Role.COORDINATOR) for user in coordinators)
    people(plan, 60, slug)
    actions = list(Action.objects.filter(plan=plan).select_related("objective").prefetch_related("objective__partner_links"))
    Step.objects.bulk_create(
        Step(action=action, organisation_id=action.objective.partner_links.all()[0].organisation_id, description="Rencontre")
        for n, action in enumerate(actions) if n % 3 == 0
    )
    return plan


def main():
    plan = build()
    outbox = Path(tempfile.mkdtemp()) / "outbox.txt"
    outbox.touch()
    env = {**os.environ, "AT_ONCE_OUTBOX": str(outbox)}
    runs = [subprocess.Popen([sys.executable, __file__, "--send", plan.slug], env=env) for _ in range(2)]
    codes = [run.wait() for run in runs]
    lines = outbox.read_text(encoding="utf-8").splitlines()
    counts = collections.Counter(lines)
    twice = {line: n for line, n in counts.items() if n > 1}
    rows = Reminder.objects.filter(plan=plan)
    print(f"database: {connection.vendor}; exit codes {codes}")
    print(f"{len(lines)} emails written, to {len(counts)} (recipient, subject); {len(twice)} twice or more")
    print(f"sent-log: {rows.filter(sent_at__isnull=False).count()} sent, {rows.filter(sent_at__isnull=True).count()} unsent, "
          f"{rows.exclude(claimed_by='').count()} still held")
    if twice or any(codes):
        sys.exit(1)


def send(slug):
    sent = send_reminders(plans=[Plan.objects.get(slug=slug)])[slug]
    print(f"  process {os.getpid()}: {sent} emails")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--send"]:
        send(sys.argv[2])
    else:
        main()
