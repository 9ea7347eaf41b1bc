"""Benchmark (issue 11), in one process: each page of the load run's mix through Django's test client, the
CPU time of the fastest of 5 requests, the Python function calls of one (cProfile: a count the machine's load does
not change, to compare two versions on a busy machine) and the steps' cards drawn, on the data `bench/load.py` prepares (figures in docs/benchmarks.md).

    DATABASE_URL=postgres://chantier:chantier@127.0.0.1:5432/chantier_pages .venv/bin/python bench/pages.py --prepare
    DATABASE_URL=… .venv/bin/python bench/pages.py          # again on the same data, after a change
    DATABASE_URL=… .venv/bin/python bench/pages.py --profile "plan page"   # where that page's time goes

`--prepare` drops and creates the database (as `bench/load.py` does, with the same data); without it the
database is the one a previous run left. Settings as gunicorn has them in the load run (DEBUG off, static
files collected into a temporary folder). Pages are asked as a coordinator, « Mes actions » as a partner of
the busiest organisation; the queries of each page are counted once.
"""

import argparse
import cProfile
import os
import pstats
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import load  # noqa: E402  (bench/load.py: the same data and settings)

RUNS = 5


def best_cpu_milliseconds(client, url, runs=RUNS, **headers):
    """The CPU time of the fastest of `runs` requests (after one to warm up), in ms."""
    client.get(url, headers=headers)
    timings = []
    for _ in range(runs):
        start = time.process_time()
        response = client.get(url, headers=headers)
        timings.append((time.process_time() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return min(timings)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--prepare", action="store_true", help="recréer la base et ses données (comme bench/load.py)")
    parser.add_argument("--profile", metavar="PAGE", help="profiler cette page (cProfile) et afficher ses 40 fonctions les plus coûteuses")
    options = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", load.DEFAULT_DATABASE)
    if not database_url.startswith("postgres"):
        raise SystemExit("Ce banc d’essai tourne sur PostgreSQL : DATABASE_URL=postgres://…")
    work = Path(tempfile.mkdtemp(prefix="chantier-pages-"))
    (work / "bench_settings.py").write_text(
        "import os\n\nfrom chantier.settings import *  # noqa: F401,F403\n\n"
        'STATIC_ROOT = os.environ["BENCH_STATIC_ROOT"]\nALLOWED_HOSTS = ["testserver"]\n'
        # force_login gives django-axes no client address to clear; signing in is not measured here.
        "AXES_ENABLED = False\n"
    )
    if options.prepare:
        load.recreate_database(database_url)
        slug, _people = load.prepare(database_url, 2000, 0.25, 20, work, work / "static")
    else:
        os.environ.update(load.serve_environment(database_url, work))
        os.environ["BENCH_STATIC_ROOT"] = str(work / "static")
        sys.path.insert(0, str(work))
        import django

        django.setup()
        from django.core.management import call_command

        call_command("collectstatic", interactive=False, verbosity=0)
        slug = "lanaudiere-2024-2026"

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from plans.models import Action, Plan

    User = get_user_model()
    plan = f"/plans/{slug}"
    pages = {
        load.FLOOR: "/",
        "plan page": f"{plan}/",
        "Mes actions": f"{plan}/mes-actions/",
        "action page": f"{plan}/actions/1.1.1/",
        "actions table": f"{plan}/actions/",
        "review queue": f"{plan}/etapes/a-valider/",
        "steps list": f"{plan}/etapes/",
    }
    coordinator, partner = Client(), Client()
    coordinator.force_login(User.objects.get(username="banc-coordinator-07"))
    busiest = User.objects.get(username="banc-partner-00")  # of the busiest organisation
    partner.force_login(busiest)
    # One action's list of latest steps, opened on « Mes actions » (htmx asks for it).
    code = Action.objects.for_user(busiest, Plan.objects.get(slug=slug)).order_by("code").values_list("code", flat=True)[0]
    pages["Mes actions: a list opened (htmx)"] = f"{plan}/mes-actions/?action={code}"
    if options.profile:
        client = partner if options.profile.startswith("Mes actions") else coordinator
        client.get(pages[options.profile])
        profile = cProfile.Profile()
        for _ in range(RUNS):
            profile.runcall(client.get, pages[options.profile])
        stats = pstats.Stats(profile)
        stats.sort_stats("cumulative").print_stats(40)
        stats.sort_stats("tottime").print_stats(25)
        stats.sort_stats("cumulative").print_stats(str(load.ROOT) + r"/(?!\.venv)", 40)  # the app's own code
        return
    print(f"{'page':<34} {'CPU (ms)':>9} {'appels':>10} {'requêtes SQL':>13} {'étapes':>7}")
    for page, url in pages.items():
        client = partner if page.startswith("Mes actions") else coordinator
        headers = {"HX-Request": "true"} if "htmx" in page else {}
        milliseconds = best_cpu_milliseconds(client, url, **headers)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, headers=headers)
        query_count = len(queries)
        # Python function calls: a count that does not vary with the machine's load, unlike the CPU time.
        profile = cProfile.Profile()
        profile.runcall(client.get, url, headers=headers)
        calls = pstats.Stats(profile).total_calls
        cards = response.content.count(b'<li class="step ')  # the steps drawn in full
        print(f"{page:<34} {milliseconds:>9.0f} {calls / 1000:>8.0f} k {query_count:>13} {cards:>7}")
    shutil.rmtree(work, ignore_errors=True)
    print(f"({Action.objects.count()} actions ; {os.getloadavg()[0]:.1f} de charge moyenne sur 1 min)")


if __name__ == "__main__":
    main()
