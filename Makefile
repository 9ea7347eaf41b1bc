# Two commands set everything up: `make run` and `make test` (see README.md).
PYTHON ?= python3
PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run serve test install migrate demo lock clean check-pdf

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall only when the declared dependencies change.
$(VENV)/.installed: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet -c constraints.txt -e ".[test]"
	touch $@

install: $(VENV)/.installed

# The yearly report's PDF needs Pango (WeasyPrint) and embeds Debian's Open Sans.
check-pdf: install
	@$(BIN)/python -c "import weasyprint" 2>/dev/null || { echo "WeasyPrint ne trouve pas ses bibliothèques système (Pango). Installez-les : apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libfontconfig1"; exit 1; }
	@fc-list 2>/dev/null | grep -q "Open Sans" || echo "Attention : la police Open Sans manque, les bilans PDF prendront DejaVu Sans (apt-get install fonts-open-sans)."

migrate: install check-pdf
	mkdir -p var
	$(BIN)/python manage.py migrate --verbosity 0

demo: migrate
	$(BIN)/python manage.py load_demo

run: demo
	@echo "Chantier : http://127.0.0.1:$(PORT)/ (comptes coordination, partenaire, comite ; mot de passe chantier-demo)"
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Production (README, « Production »): DEBUG off, the database migrated, the deployment checks shown,
# static files collected for WhiteNoise, the reminders handed to the tasks worker (every morning, once
# queued), then gunicorn and the worker side by side; Ctrl-C stops
# both (the worker, in the background, is stopped on the way out). Reads SECRET_KEY, ALLOWED_HOSTS,
# DATABASE_URL… from the environment; BIND and WEB_CONCURRENCY through chantier/gunicorn.conf.py.
serve: export DEBUG = 0
serve: migrate
	$(BIN)/python manage.py check --deploy --fail-level ERROR
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py send_reminders --every-morning
	@echo "Rappel : les sessions expirées restent en base jusqu’à « manage.py clearsessions » ; planifiez-le chaque nuit (README, « Production »)."
	@$(BIN)/python manage.py db_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT; \
	trap 'exit 130' INT TERM; \
	$(BIN)/gunicorn --config chantier/gunicorn.conf.py

# axe-core for the browser tests' accessibility checks, at the version package-lock.json pins (no CDN); the
# checks say they are skipped when npm is missing.
node_modules/axe-core/axe.min.js: package-lock.json
	-command -v npm >/dev/null && npm ci --no-audit --no-fund --silent

test: install check-pdf node_modules/axe-core/axe.min.js
	$(BIN)/pytest $(PYTEST_ARGS)

# Refresh constraints.txt (the lock) after changing pyproject.toml.
lock:
	rm -rf /tmp/chantier-lock && $(PYTHON) -m venv /tmp/chantier-lock
	/tmp/chantier-lock/bin/pip install --quiet --upgrade pip
	/tmp/chantier-lock/bin/pip install --quiet -e ".[test]"
	/tmp/chantier-lock/bin/pip freeze --exclude-editable > constraints.txt

clean:
	rm -rf $(VENV) var
