"""Benchmark: render the plan page of a 37-action and a 2,000-action plan (figures in docs/benchmarks.md).

    .venv/bin/python bench/plan_page.py            # a throwaway SQLite database in /tmp
    DATABASE_URL=postgres://… .venv/bin/python bench/plan_page.py   # an empty PostgreSQL database
"""

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

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from tests.factories import make_plan  # noqa: E402


def measure(client, url, runs, **headers):
    client.get(url, headers=headers)  # warm up templates and connections
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, headers=headers)
        timings.append((time.perf_counter() - start) * 1000)
    assert response.status_code == 200
    return statistics.median(timings), max(timings), len(queries), len(response.content) // 1024


def main(runs=10):
    call_command("migrate", verbosity=0)
    admin = get_user_model().objects.create_superuser("bench", "bench@example.org", "bench")
    client = Client()
    client.force_login(admin)  # a superuser sees the coordinator's edit links too
    print(f"database: {connection.vendor}, load average {os.getloadavg()[0]:.1f}")
    for actions in (37, 2000):
        plan = make_plan(f"bench-{actions}", actions=actions)
        pages = {"plan page": plan.get_absolute_url()}
        if actions > settings.PLAN_PAGE_INLINE_ACTIONS:
            pages["one objective's actions (htmx)"] = reverse("plans:objective", args=[plan.slug, "1.1"])
        for name, url in pages.items():
            median, longest, queries, size = measure(client, url, runs, **({"HX-Request": "true"} if "htmx" in name else {}))
            print(
                f"{name}, {actions:>5} actions, {actions * 2:>5} results: median {median:6.0f} ms,"
                f" max {longest:6.0f} ms, {queries} queries, {size} KiB ({runs} runs)"
            )


if __name__ == "__main__":
    main()
