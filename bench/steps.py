"""Benchmark: "Mes actions", an action's page and the plan page with 2,000 actions and 10,000 steps
(figures in docs/benchmarks.md).

    .venv/bin/python bench/steps.py            # a throwaway SQLite database in /tmp
    DATABASE_URL=postgres://… .venv/bin/python bench/steps.py   # an empty PostgreSQL database
"""

import datetime
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chantier.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from partners.models import Organisation  # noqa: E402
from plans.models import Action, Role  # noqa: E402
from suivi.models import Step  # noqa: E402
from tests.conftest import make_person  # noqa: E402
from tests.factories import make_plan  # noqa: E402


def measure(client, url, runs=10):
    client.get(url)
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
    assert response.status_code == 200, response.status_code
    return statistics.median(timings), len(queries), len(response.content) // 1024


def main():
    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor}")
    for actions, steps in ((37, 200), (2000, 10_000)):
        plan = make_plan(f"bench-{actions}", actions=actions)
        organisation = Organisation.objects.get(acronym=f"O-bench-{actions}-0")
        partner = make_person(f"partner-{actions}", plan, Role.PARTNER, organisation)
        coordinator = make_person(f"coordo-{actions}", plan, Role.COORDINATOR)
        own = list(Action.objects.filter(plan=plan).for_organisation(organisation))
        every = list(Action.objects.filter(plan=plan))
        Step.objects.bulk_create(
            Step(
                action=every[i % len(every)] if i % 2 else own[i % len(own)],
                description=f"Étape {i}",
                organisation=organisation,
                done_on=datetime.date(2025, 1, 1) + datetime.timedelta(days=i % 600),
            )
            for i in range(steps)
        )
        client = Client()
        client.force_login(partner)
        pages = {
            "Mes actions": reverse("suivi:my_actions", args=[plan.slug]),
            "action page": own[0].get_absolute_url(),
        }
        for name, url in pages.items():
            median, queries, size = measure(client, url)
            print(f"{name:<12} {actions:>5} actions, {steps:>6} steps ({len(own)} actions of the partner): "
                  f"median {median:6.0f} ms, {queries} queries, {size} KiB")
        client.force_login(coordinator)
        median, queries, size = measure(client, reverse("plans:detail", args=[plan.slug]))
        print(f"{'plan page':<12} {actions:>5} actions, {steps:>6} steps: median {median:6.0f} ms, {queries} queries, {size} KiB")


if __name__ == "__main__":
    main()
