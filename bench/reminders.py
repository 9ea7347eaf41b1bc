"""Benchmark: `send_reminders` for a plan of 2,000 actions, 300 organisations and 1,000 partners (and 10
coordinators), then again with 100 and 300 partners: the queries must not grow with the number of people,
and the whole run stay under 30 s (figures in docs/benchmarks.md). Mail goes to Django's locmem backend:
what is measured is gathering, rendering and recording, not an SMTP server.

    .venv/bin/python bench/reminders.py            # a throwaway SQLite database in /tmp
    DATABASE_URL=postgres://… .venv/bin/python bench/reminders.py   # an empty PostgreSQL database
"""

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chantier.settings")
os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core import mail  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from notifications.models import Reminder  # noqa: E402
from notifications.reminders import send_reminders  # noqa: E402
from partners.models import Organisation  # noqa: E402
from plans.models import Action, Membership, PlanRole, Role  # noqa: E402
from suivi.models import Step  # noqa: E402
from tests.factories import make_plan  # noqa: E402

ORGANISATIONS, ACTIONS = 300, 2000


def people(plan, count, prefix):
    """`count` partners, each acting for one of the plan's organisations (several per organisation)."""
    organisations = list(Organisation.objects.filter(name__startswith=f"Organisation {plan.slug} ").order_by("pk"))
    password = make_password(None)
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"{prefix}-{n}", email=f"{prefix}-{n}@example.org", password=password)
        for n in range(count)
    )
    PlanRole.objects.bulk_create(PlanRole(plan=plan, user=user, role=Role.PARTNER) for user in users)
    Membership.objects.bulk_create(
        Membership(plan=plan, user=user, organisation=organisations[n % len(organisations)]) for n, user in enumerate(users)
    )


def run(plan):
    mail.outbox = []
    Reminder.objects.all().delete()
    start, cpu = time.perf_counter(), time.process_time()
    with CaptureQueriesContext(connection) as queries:
        sent = send_reminders(plans=[plan])[plan.slug]
    run.cpu = time.process_time() - cpu
    # Django splits a bulk insert in batches of SQLite's 999 parameters (PostgreSQL takes it whole): those
    # are counted apart.
    run.inserts = sum(1 for query in queries.captured_queries if query["sql"].startswith("INSERT"))
    if os.environ.get("BENCH_SHOW_QUERIES"):
        for query in queries.captured_queries:
            print("   ", query["sql"][:110])
    return time.perf_counter() - start, len(queries), sent


def main():
    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor}")
    plan = make_plan("bench-rappels", actions=ACTIONS, organisations=ORGANISATIONS)
    coordinators = get_user_model().objects.bulk_create(
        get_user_model()(username=f"coordo-{n}", email=f"coordo-{n}@example.org") for n in range(10)
    )
    PlanRole.objects.bulk_create(PlanRole(plan=plan, user=user, role=Role.COORDINATOR) for user in coordinators)
    # A step on one action in three (fresh news), some sent back: the digests have every section.
    now = timezone.now()
    actions = list(Action.objects.filter(plan=plan).select_related("objective").prefetch_related("objective__partner_links"))
    Step.objects.bulk_create(
        Step(action=action, organisation_id=action.objective.partner_links.all()[0].organisation_id,
             description="Rencontre", review=Step.Review.RETURNED if n % 30 == 0 else Step.Review.PENDING,
             review_comment="À préciser" if n % 30 == 0 else "", reviewed_at=now if n % 30 == 0 else None)
        for n, action in enumerate(actions) if n % 3 == 0
    )
    counts = {}
    total = 0
    for count in (100, 300, 1000):
        people(plan, count - total, f"p{count}")
        total = count
        seconds, queries, sent = run(plan)
        counts[count] = queries - run.inserts
        print(f"{count:>5} partners: {seconds:6.1f} s ({run.cpu:.1f} s of CPU), {queries} queries ({run.inserts} inserts), {sent} emails "
              f"({len(mail.outbox)} in the outbox)")
    seconds, queries, sent = again(plan)
    print(f"again, same period: {seconds:6.1f} s, {queries} queries, {sent} emails")
    assert len(set(counts.values())) == 1, f"the queries other than inserts grow with the people: {counts}"


def again(plan):
    """The same run a second time in the period: nothing to send, nothing sent."""
    start = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        sent = send_reminders(plans=[plan])[plan.slug]
    return time.perf_counter() - start, len(queries), sent


if __name__ == "__main__":
    main()
