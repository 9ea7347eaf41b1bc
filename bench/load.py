"""Benchmark (issue 11): the app under load, served as in production, against PostgreSQL.

    DATABASE_URL=postgres://chantier:chantier@127.0.0.1:5432/chantier_load .venv/bin/python bench/load.py
    … bench/load.py --seconds 10                  # a short run, for trying
    … bench/load.py --clients 20 --think 0        # no pause between a client's requests: the capacity

The database named in DATABASE_URL is dropped and created again (its role needs CREATEDB). The script
migrates it, loads the Lanaudière plan (`load_demo`), adds 2,000 steps (a quarter waiting for validation,
one in twenty sent back, the others validated) recorded by several organisations, and the accounts of the clients;
collects the static files into a temporary folder and starts gunicorn with 2 workers on loopback, DEBUG off
(`SERVE` below: keep it as `make serve` runs the app). Then each client signs in (CSRF and all) and asks
its pages for `--seconds` seconds, with a pause of `--think` seconds on average (5) between two requests (a
person reads what they asked for), in the mix of `MIX`: partners their « Mes actions », actions and a new
step (a real POST), coordinators their review queue, everyone the plan, the actions table and the steps.
In the same run every client also asks the home page, the floor: the lightest page of the app, yet through
session, authentication and every middleware (it reads the person's plans and roles: two small queries).

It prints, per page: requests, requests per second, p50, p95, max, errors and the ratio of its p50 to the
floor's; then the CPU time the load generator, gunicorn and the rest of the machine took. It exits 1 when
an expectation fails: an error, a p95 of 300 ms or more, or a p50 above 8 times the floor's.
"""

import argparse
import datetime
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE = "postgres://chantier:chantier@127.0.0.1:5432/chantier_load"
PASSWORD = "banc-d-essai-charge"
P95_LIMIT_MS = 300
FLOOR_RATIO_LIMIT = 8
FLOOR = "floor: home page"

# What each kind of client asks, with weights. The floor is in every mix, at the same weight for everyone.
MIX = {
    "partner": {
        "plan page": 2,
        "Mes actions": 3,
        "action page": 3,
        "record a step (POST)": 1,
        "actions table": 1,
        "steps list": 1,
        FLOOR: 1,
    },
    "coordinator": {"plan page": 1, "action page": 2, "actions table": 1, "review queue": 4, "steps list": 2, FLOOR: 1},
    "committee": {"plan page": 2, "action page": 2, "actions table": 2, "steps list": 2, FLOOR: 1},
}
# Of 20 clients: 14 partners of 7 organisations, 4 coordinators, 2 committee members (the same shares
# for another number of clients).
CLIENT_ROLES = ["partner"] * 7 + ["coordinator"] * 2 + ["committee"]


def serve_command(port):
    """How the app is served: as `make serve` does, with its gunicorn settings (chantier/gunicorn.conf.py:
    WEB_CONCURRENCY workers), on a free port of loopback."""
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    return [gunicorn, "--config", str(ROOT / "chantier" / "gunicorn.conf.py"), "--bind", f"127.0.0.1:{port}"]


def serve_environment(database_url, settings_folder):
    """DEBUG off with a secret key, loopback only; no HTTPS redirect (no TLS proxy in front here). The
    settings are the app's, with the static files collected into a temporary folder (`bench_settings`)."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": "banc-d-essai-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "DJANGO_SETTINGS_MODULE": "bench_settings",
        "PYTHONPATH": os.pathsep.join([str(settings_folder), str(ROOT)]),
    }


def recreate_database(database_url):
    """Drop the database of the address and create it empty, through the server's `postgres` database."""
    name = urlsplit(database_url).path.lstrip("/")
    if not re.fullmatch(r"\w+", name):
        raise SystemExit(f"Nom de base inattendu : {name!r}")
    server = database_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def prepare(database_url, steps, pending_share, clients, settings_folder, static_root):
    """The plan, its steps and the clients' accounts; the static files. In this process, with the settings
    gunicorn will have. Returns each client's (username, role, organisation id, its actions' codes)."""
    os.environ.update(serve_environment(database_url, settings_folder))
    os.environ["BENCH_STATIC_ROOT"] = str(static_root)
    sys.path.insert(0, str(settings_folder))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.utils import timezone
    from simple_history.utils import bulk_create_with_history

    from plans.models import Action, Membership, Plan, PlanRole
    from plans.rules import partner_organisation_ids
    from suivi.models import Step

    call_command("migrate", verbosity=0)
    call_command("load_demo", no_accounts=True, stdout=open(os.devnull, "w"))
    call_command("collectstatic", interactive=False, verbosity=0)
    plan = Plan.objects.get(slug="lanaudiere-2024-2026")
    actions = list(Action.objects.filter(plan=plan).active().select_related("plan").with_partners_in_effect())
    # The organisations partner on the most actions record the steps, as in a real plan.
    by_organisation = defaultdict(list)
    for action in actions:
        for organisation_id in partner_organisation_ids(action):
            by_organisation[organisation_id].append(action)
    busiest = sorted(by_organisation, key=lambda pk: (-len(by_organisation[pk]), pk))

    roles = [CLIENT_ROLES[n % len(CLIENT_ROLES)] for n in range(clients)]
    partner_organisations = busiest[: max(1, roles.count("partner") // 2)]
    password = make_password(PASSWORD)  # hashed once: Django's hasher takes half a second a password
    User = get_user_model()
    people = []
    for n, role in enumerate(roles):
        user = User.objects.create(username=f"banc-{role}-{n:02}", first_name=role.capitalize(), password=password)
        PlanRole.objects.create(plan=plan, user=user, role=role)
        organisation_id = partner_organisations[n % len(partner_organisations)] if role == "partner" else None
        if organisation_id:
            Membership.objects.create(plan=plan, user=user, organisation_id=organisation_id)
        own = by_organisation[organisation_id] if organisation_id else actions
        people.append((user.username, role, organisation_id, [action.code for action in own]))
    authors = defaultdict(list)
    for username, role, organisation_id, _codes in people:
        if organisation_id:
            authors[organisation_id].append(User.objects.get(username=username))
    coordinator = User.objects.get(username=next(p[0] for p in people if p[1] == "coordinator"))

    rng = random.Random(11)
    today = timezone.localdate()
    first_day = datetime.date(plan.first_year, 4, 1)
    now = timezone.now()
    rows = []
    for n in range(steps):
        organisation_id = busiest[min(int(rng.expovariate(0.3)), len(busiest) - 1)]
        action = rng.choice(by_organisation[organisation_id])
        draw = rng.random()
        review = (
            Step.Review.PENDING if draw < pending_share
            else Step.Review.RETURNED if draw < pending_share + 0.05
            else Step.Review.VALIDATED
        )
        rows.append(
            Step(
                action=action,
                organisation_id=organisation_id,
                author=rng.choice(authors[organisation_id] or [coordinator]),
                done_on=first_day + datetime.timedelta(days=rng.randrange((today - first_day).days + 1)),
                description=f"Étape {n} : rencontre avec les partenaires, compte rendu transmis au comité.",
                review=review,
                reviewed_by=None if review == Step.Review.PENDING else coordinator,
                reviewed_at=None if review == Step.Review.PENDING else now,
                review_comment="Précisez la date de la rencontre." if review == Step.Review.RETURNED else "",
            )
        )
    rows = bulk_create_with_history(rows, Step)
    results = defaultdict(list)
    for action in actions:
        results[action.pk] = list(action.results.active().values_list("pk", flat=True))
    Step.results.through.objects.bulk_create(
        Step.results.through(step_id=step.pk, expectedresult_id=rng.choice(results[step.action_id]))
        for step in rows[::5]
        if results[step.action_id]
    )
    for action in actions:  # about a fifth of the results achieved, and each action's status following
        achieved = [pk for pk in results[action.pk] if rng.random() < 0.2]
        action.results.filter(pk__in=achieved).update(achieved_on=today, achieved_by=coordinator)
        action.refresh_status()
    counts = {review: Step.objects.filter(review=review).count() for review in Step.Review.values}
    print(
        f"données : {plan} ({len(actions)} actions), {sum(counts.values())} étapes "
        f"({counts['pending']} à valider, {counts['validated']} validées, {counts['returned']} renvoyées) "
        f"de {len(busiest)} organisations ; {clients} clients"
    )
    return plan.slug, people


class Client:
    """One signed-in person, asking pages in their role's mix and timing each answer."""

    def __init__(self, base, slug, username, role, organisation_id, codes, seed):
        self.base, self.slug, self.role = base, slug, role
        self.username, self.organisation_id, self.codes = username, organisation_id, codes
        self.rng = random.Random(seed)
        self.signed_in = False
        self.session = requests.Session()
        self.pages, weights = zip(*MIX[role].items())
        self.weights = weights

    def url(self, page):
        plan = f"/plans/{self.slug}"
        return {
            FLOOR: "/",
            "plan page": f"{plan}/",
            "Mes actions": f"{plan}/mes-actions/",
            "action page": f"{plan}/actions/{self.rng.choice(self.codes)}/",
            "actions table": f"{plan}/actions/",
            "review queue": f"{plan}/etapes/a-valider/",
            "steps list": f"{plan}/etapes/",
        }[page]

    def send(self, method, path, **data):
        """One request, its redirect not followed. The session and CSRF cookies are marked Secure (DEBUG
        off), as behind the TLS proxy of a real site: kept as plain ones to go back over loopback HTTP."""
        response = self.session.request(method, self.base + path, data=data or None, allow_redirects=False)
        for cookie in self.session.cookies:
            cookie.secure = False
        return response

    def sign_in(self):
        self.send("GET", "/comptes/login/").raise_for_status()
        response = self.send(
            "POST",
            "/comptes/login/",
            username=self.username,
            password=PASSWORD,
            csrfmiddlewaretoken=self.session.cookies["csrftoken"],
        )
        if response.status_code != 302:
            raise RuntimeError(f"{self.username} ne peut pas se connecter : {response.status_code}")
        self.signed_in = True

    def ask(self, page):
        """(status is what was expected, milliseconds)."""
        start = time.perf_counter()
        if page == "record a step (POST)":
            code = self.rng.choice(self.codes)
            response = self.send(
                "POST",
                f"/plans/{self.slug}/actions/{code}/etapes/",
                description="Rencontre du comité de travail : suivi des dossiers, prochaines étapes convenues.",
                done_on=datetime.date.today().isoformat(),
                organisation=self.organisation_id,
                csrfmiddlewaretoken=self.session.cookies["csrftoken"],
            )
            ok = response.status_code == 302 and response.headers["Location"].endswith(f"/actions/{code}/")
        else:
            response = self.send("GET", self.url(page))
            ok = response.status_code == 200
        return ok, (time.perf_counter() - start) * 1000, response.status_code

    def warm_up(self):
        for page in self.pages:
            if page != "record a step (POST)":
                self.ask(page)

    def run(self, start, deadline, think, timings, errors):
        """Ask pages from `start` to `deadline`; a request begun before the deadline counts."""
        while time.perf_counter() < start:
            time.sleep(0.01)
        if think:  # clients do not all begin at the same instant
            time.sleep(self.rng.uniform(0, think))
        while time.perf_counter() < deadline:
            page = self.rng.choices(self.pages, self.weights)[0]
            try:
                ok, milliseconds, status = self.ask(page)
            except requests.RequestException as error:
                ok, milliseconds, status = False, 0, type(error).__name__
            timings[page].append(milliseconds)
            if not ok:
                errors[page].append(status)
            if think:
                time.sleep(self.rng.expovariate(1 / think))


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(base, process, seconds=60):
    limit = time.monotonic() + seconds
    while time.monotonic() < limit:
        if process.poll() is not None:
            raise SystemExit("gunicorn s’est arrêté au démarrage (voir son journal ci-dessus).")
        try:
            if requests.get(f"{base}/comptes/login/", timeout=10).status_code == 200:
                return
        except requests.RequestException:  # not listening yet, or its workers still starting
            pass
        time.sleep(0.2)
    raise SystemExit("gunicorn ne répond pas après 60 s.")


def cpu_seconds(pids):
    """User + system CPU time of these processes, from /proc (in seconds)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def family(pid):
    """The process and its children (gunicorn's master and workers)."""
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    children.append(int(entry.name))
            except (FileNotFoundError, ProcessLookupError):
                continue
    return [pid, *children]


def machine_busy_seconds():
    """CPU seconds spent by every process of the machine so far (all cores), from /proc/stat."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def percentile(values, share):
    """The nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))]


def report(timings, errors, seconds):
    """Print the table; return the expectations that failed."""
    floor = percentile(timings[FLOOR], 0.5) if timings[FLOOR] else None
    failures = []
    print(f"\n{'page':<22} {'requêtes':>8} {'req/s':>6} {'p50':>7} {'p95':>7} {'max':>7} {'erreurs':>7} {'p50/plancher':>12}")
    order = [FLOOR] + [page for page in dict.fromkeys(p for mix in MIX.values() for p in mix) if page != FLOOR]
    for page in order:
        values = timings[page]
        if not values:
            continue
        p50, p95 = percentile(values, 0.5), percentile(values, 0.95)
        ratio = p50 / floor if floor else float("nan")
        print(
            f"{page:<22} {len(values):>8} {len(values) / seconds:>6.1f} {p50:>5.0f}ms {p95:>5.0f}ms "
            f"{max(values):>5.0f}ms {len(errors[page]):>7} {ratio:>12.1f}"
        )
        if errors[page]:
            failures.append(f"{page}: {len(errors[page])} erreurs ({', '.join(sorted(set(map(str, errors[page]))))})")
        if p95 >= P95_LIMIT_MS:
            failures.append(f"{page}: p95 {p95:.0f} ms (≥ {P95_LIMIT_MS} ms)")
        if ratio > FLOOR_RATIO_LIMIT:
            failures.append(f"{page}: p50 {ratio:.1f} fois celui du plancher (> {FLOOR_RATIO_LIMIT})")
    total = sum(len(values) for values in timings.values())
    print(f"{'toutes':<22} {total:>8} {total / seconds:>6.1f}")
    return failures


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60, help="durée mesurée (60 s)")
    parser.add_argument("--clients", type=int, default=20, help="clients connectés en même temps (20)")
    # A person reads the page they asked for before the next one: 5 s on average (docs/benchmarks.md, « Load »).
    parser.add_argument("--think", type=float, default=5.0, help="pause moyenne entre deux requêtes d’un client, en s (5)")
    parser.add_argument("--steps", type=int, default=2000, help="étapes inscrites avant la mesure (2 000)")
    parser.add_argument("--pending", type=float, default=0.25, help="part des étapes à valider (0,25)")
    options = parser.parse_args()

    database_url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE)
    if not database_url.startswith("postgres"):
        raise SystemExit("Ce banc d’essai tourne sur PostgreSQL : DATABASE_URL=postgres://…")
    work = Path(tempfile.mkdtemp(prefix="chantier-charge-"))
    (work / "bench_settings.py").write_text(
        '"""The app\'s settings, with the static files collected into the benchmark\'s folder."""\n'
        "import os\n\nfrom chantier.settings import *  # noqa: F401,F403\n\n"
        'STATIC_ROOT = os.environ["BENCH_STATIC_ROOT"]\n'
    )
    recreate_database(database_url)
    slug, people = prepare(database_url, options.steps, options.pending, options.clients, work, work / "static")

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(work / "gunicorn.log", "w+")
    environment = {**serve_environment(database_url, work), "BENCH_STATIC_ROOT": str(work / "static")}
    print("serveur :", " ".join(serve_command(port)), "(DEBUG=0, SECURE_SSL_REDIRECT=0)")
    server = subprocess.Popen(serve_command(port), cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for(base, server)
        clients = [Client(base, slug, *person, seed=n) for n, person in enumerate(people)]
        # Side by side: one after the other, 20 sign-ins (Django's hasher, by design slow) and 140 pages take
        # minutes on a busy machine.
        for step in (Client.sign_in, Client.warm_up):
            starting = [threading.Thread(target=step, args=(client,)) for client in clients]
            for thread in starting:
                thread.start()
            for thread in starting:
                thread.join()
        if not all(client.signed_in for client in clients):
            raise SystemExit("Des clients n’ont pas pu se connecter (voir ci-dessus).")
        timings, errors = defaultdict(list), defaultdict(list)
        start = time.perf_counter() + 0.5
        deadline = start + options.seconds
        threads = [
            threading.Thread(target=client.run, args=(start, deadline, options.think, timings, errors))
            for client in clients
        ]
        for thread in threads:
            thread.start()
        while time.perf_counter() < start:
            time.sleep(0.01)
        ours, theirs, machine = os.times(), cpu_seconds(family(server.pid)), machine_busy_seconds()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - start
        generator = sum(os.times()[:2]) - sum(ours[:2])
        served = cpu_seconds(family(server.pid)) - theirs
        busy = machine_busy_seconds() - machine
        load = os.getloadavg()
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    log.seek(0)
    errors_logged = [line for line in log if "Traceback" in line or "ERROR" in line]

    print(
        f"\n{options.clients} clients, pause moyenne {options.think:g} s, {elapsed:.0f} s mesurées, "
        f"{os.cpu_count()} cœurs, charge moyenne (1, 5, 15 min) à la fin : {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )
    failures = report(timings, errors, elapsed)
    requests_made = sum(len(values) for values in timings.values())
    capacity = elapsed * os.cpu_count()
    print(
        f"\nCPU pendant la mesure : générateur de charge {generator:.1f} s ({100 * generator / capacity:.0f} % de la "
        f"machine), gunicorn {served:.1f} s ({100 * served / capacity:.0f} %, {1000 * served / max(1, requests_made):.0f} ms "
        f"par requête), tout le reste (PostgreSQL, les "
        f"autres sessions) {busy - generator - served:.1f} s ({100 * (busy - generator - served) / capacity:.0f} %)"
    )
    if errors_logged:
        print(f"journal de gunicorn ({work / 'gunicorn.log'}) : {len(errors_logged)} lignes d’erreur")
    if failures:
        print("\nAttendu non tenu :\n  " + "\n  ".join(failures))
        sys.exit(1)
    shutil.rmtree(work, ignore_errors=True)
    print("\nAttendu tenu : aucune erreur, p95 < 300 ms partout, chaque p50 ≤ 8 fois celui du plancher.")


if __name__ == "__main__":
    main()
