"""Benchmark: the yearly report (bilan) of the Lanaudière plan with 300 steps, and of a 2,000-action plan
with 10,000 steps (figures in docs/benchmarks.md).

    .venv/bin/python bench/bilan.py            # a throwaway SQLite database in /tmp
    DATABASE_URL=postgres://… .venv/bin/python bench/bilan.py   # an empty PostgreSQL database
    .venv/bin/python bench/bilan.py --only large                # one case
    .venv/bin/python bench/bilan.py --only lanaudiere --modes plan-pdf,plan-docx   # some of the documents
    .venv/bin/python bench/bilan.py --only lanaudiere --calls   # and the Python calls of each file made

Each case runs three times, each time in a process of its own so that its peak memory (ru_maxrss) is its
own: once as the app makes the PDF (`render_pdf`: in one piece and tagged, or in parts for a long report),
once with WeasyPrint alone on the same whole HTML (tagged alike when the app makes it in one piece), once
as the app makes the Word document (`render_docx`, from the same data; the "HTML" column is then 0). Times: gathering the data (queries), writing the HTML
(templates), making the PDF; CPU time of the process and of the child processes that laid out the parts of
a long report (`BILAN_RENDER_PROCESSES`); peak memory of the process and of the largest child. With `--calls`,
the file is made once more under cProfile, and the Python function calls it took are printed: a count that
the machine's load does not change, unlike the CPU time (the load of a shared machine moves that by a third).
"""

import cProfile
import datetime
import os
import pstats
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chantier.settings")

CASES = {"lanaudiere": (None, 300), "large": (2000, 10_000)}
# "plan-pdf", "plan-docx": « Le plan et ses étapes réalisées » (bilans/plan_steps.py) over the same year, its
# PDF in one piece and tagged (the HTML column is its template).
MODES = ("app", "weasyprint", "docx", "plan-pdf", "plan-docx")


def peak_mb(who=resource.RUSAGE_SELF):
    return resource.getrusage(who).ru_maxrss / 1024


def cpu_s(who):
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def add_steps(plan, count):
    from django.utils import timezone

    from partners.models import Organisation
    from suivi.models import Step

    actions = list(plan.actions.order_by("pk"))
    organisations = list(Organisation.objects.order_by("pk")[:25])
    start = datetime.date(2024, 4, 1)
    reviews = [Step.Review.VALIDATED] * 8 + [Step.Review.PENDING, Step.Review.RETURNED]
    now = timezone.now()
    steps = []
    for n in range(count):
        review = reviews[n % len(reviews)]
        steps.append(
            Step(
                action=actions[n % len(actions)],
                done_on=start + datetime.timedelta(days=(n * 7) % 365),
                description=f"Étape {n} : rencontre des partenaires et compte rendu de la démarche réalisée",
                organisation=organisations[n % len(organisations)],
                review=review,
                reviewed_at=None if review == Step.Review.PENDING else now,
                review_comment="À préciser" if review == Step.Review.RETURNED else "",
            )
        )
    Step.objects.bulk_create(steps, batch_size=1000)


def run_case(name, mode, count_calls=False):
    """`mode` "app": the bilan as the background task makes it (`render_pdf`, in parts when it is long);
    "weasyprint": WeasyPrint alone on the same whole HTML, in one piece."""
    import django

    django.setup()
    import weasyprint
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bilans import plan_steps
    from bilans.documents import BASE_URL, StaticFilesFetcher, gather, render_html
    from plans.models import Plan
    from tests.factories import make_plan

    actions, steps = CASES[name]
    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)  # each mode from the same data (one PostgreSQL database for all)
    if actions is None:
        call_command("load_demo", no_accounts=True, verbosity=0, stdout=open(os.devnull, "w"))
        plan = Plan.objects.get(slug="lanaudiere-2024-2026")
    else:
        plan = make_plan(f"bench-{actions}", actions=actions)
    add_steps(plan, steps)
    # Warm up (imports, fonts), as in a worker that has already rendered something.
    weasyprint.HTML(string="<p>é</p>", base_url=BASE_URL, url_fetcher=StaticFilesFetcher()).write_pdf()
    before = peak_mb()
    cpu = cpu_s(resource.RUSAGE_SELF)
    children_cpu = cpu_s(resource.RUSAGE_CHILDREN)  # loading the demo plan runs a child or two

    start = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        if mode.startswith("plan-"):
            data = plan_steps.gather(plan, datetime.date(2024, 4, 1), datetime.date(2025, 3, 31))
        else:
            data = gather(plan, datetime.date(2024, 4, 1), datetime.date(2025, 3, 31))
    gathered = time.perf_counter()
    html = render_html(data) if mode in ("app", "weasyprint") else ""
    html = plan_steps.render_html(data) if mode == "plan-pdf" else html
    written = time.perf_counter()
    pdf, how = make_file(mode, data, html)
    done = time.perf_counter()
    cpu = cpu_s(resource.RUSAGE_SELF) - cpu
    # The children that laid out the parts have ended (the pool waits for them): their CPU time is the
    # sum over all of them, their peak memory the largest one's (ru_maxrss of RUSAGE_CHILDREN).
    children_cpu = cpu_s(resource.RUSAGE_CHILDREN) - children_cpu
    children_peak = f"{peak_mb(resource.RUSAGE_CHILDREN):5.0f} MB" if children_cpu > 1 else "      –"
    calls = ""
    if count_calls:  # the same file again, under the profiler (this process's calls only)
        profile = cProfile.Profile()
        profile.runcall(make_file, mode, data, html)
        calls = f" | {pstats.Stats(profile).total_calls / 1000:,.0f} k calls"
    print(
        f"{connection.vendor:7} | {plan.actions.count():>5} | {steps:>6} | {how:20}"
        f" | {len(queries.captured_queries):>3}"
        f" | {gathered - start:6.2f} s | {written - gathered:6.2f} s | {done - written:7.2f} s"
        f" | {done - start:7.2f} s | {cpu:6.2f} s | {children_cpu:6.2f} s | {len(pdf) // 1024:>6} KiB"
        f" | {before:5.0f} MB | {peak_mb():5.0f} MB | {children_peak} | load {os.getloadavg()[0]:.2f}{calls}",
        flush=True,
    )


def make_file(mode, data, html):
    """The file `mode` makes from the gathered `data` (and `html`, the template's output, for WeasyPrint
    alone and the plan's PDF), and how it was made."""
    import weasyprint

    from bilans import plan_steps
    from bilans.documents import (
        BASE_URL,
        PARTS_ABOVE,
        StaticFilesFetcher,
        TAGGED,
        render_pdf,
        render_processes,
        size_of,
    )
    from bilans.word import render_docx

    if mode == "plan-pdf":
        pdf = weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=StaticFilesFetcher()).write_pdf(**TAGGED)
        how = "plan table PDF"
    elif mode == "plan-docx":
        pdf = plan_steps.render_docx(data)
        how = "plan table DOCX"
    elif mode == "docx":
        pdf = render_docx(data)  # the "PDF size" column is then the DOCX's
        how = "DOCX (python-docx)"
    elif mode == "app":
        pdf = render_pdf(data)
        processes = render_processes()
        how = "in one piece"
        if size_of(data) > PARTS_ABOVE:
            how = f"in parts, {processes} proc." if processes > 1 else "in parts"
    else:
        options = TAGGED if size_of(data) <= PARTS_ABOVE else {}
        pdf = weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=StaticFilesFetcher()).write_pdf(**options)
        how = "WeasyPrint alone"
    return pdf, how


def main():
    print(
        "database | actions | steps | PDF made | queries | gather | HTML | PDF | total (wall) | CPU | children's CPU"
        " | PDF size | RSS before | peak RSS | children's peak RSS (largest) | load average (1 min)"
    )
    print(f"load average before: {' '.join(f'{load:.2f}' for load in os.getloadavg())}", flush=True)
    cases = sys.argv[2:3] if sys.argv[1:2] == ["--only"] else CASES
    for name in cases:
        modes = sys.argv[sys.argv.index("--modes") + 1].split(",") if "--modes" in sys.argv else MODES
        for mode in modes:
            env = dict(os.environ)
            if "DATABASE_URL" not in os.environ:
                env["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
            calls = ["--calls"] if "--calls" in sys.argv else []
            subprocess.run([sys.executable, __file__, name, mode, *calls], env=env, check=True)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] not in ("--only", "--calls", "--modes"):
        run_case(sys.argv[1], sys.argv[2], count_calls="--calls" in sys.argv)
    else:
        main()
