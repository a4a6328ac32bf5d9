# The front door: `make run` sets everything up and runs the assistant; `make test` runs every test.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
# Rasa 3.6 needs Python 3.10: take it from pyenv, or from PATH, or from PYTHON310=... .
PYTHON310 ?= $(shell for p in "$$(pyenv root 2>/dev/null)"/versions/3.10.*/bin/python3.10 "$$HOME"/.pyenv/versions/3.10.*/bin/python3.10 $$(command -v python3.10 2>/dev/null); do [ -x "$$p" ] && { echo "$$p"; break; }; done)
RASA_DATA := --config config.yml --domain domain --data data
# Rasa sends usage data to Rasa's servers unless told not to (bot/runtime/settings.py, RASA_ENVIRONMENT).
export RASA_TELEMETRY_ENABLED ?= false

.PHONY: banner install run test test-fast lint bench build train check quality validate conversation-tests shell lock clean audit

install: $(VENV)/.installed

$(VENV)/.installed: requirements.lock pyproject.toml
	@if [ -z "$(PYTHON310)" ]; then \
	  echo "Python 3.10 was not found, and Rasa 3.6 needs it. Install it (for example 'pyenv install 3.10')" >&2; \
	  echo "or point to it: make PYTHON310=/path/to/python3.10 $(MAKECMDGOALS)" >&2; exit 1; fi
	@echo "==> Creating $(VENV) with $(PYTHON310)"
	@[ -x $(PY) ] || $(PYTHON310) -m venv $(VENV)
	@echo "==> Installing the pinned packages from requirements.lock (first time: about 4 minutes, 2.7 GB)"
	$(PY) -m pip install --disable-pip-version-check --progress-bar on -r requirements.lock
	$(PY) -m pip install --disable-pip-version-check --no-deps -e .
	@touch $@

build: install
	$(PY) -m bot build

train: install
	$(PY) -m bot train

check: install
	$(PY) -m bot check

# Knowledge evaluation: realistic questions (evaluation/questions.yml) end to end over REST.
evaluate: train
	$(PY) -m bot evaluate

# Language-identification benchmark and intent accuracy per language (docs/languages-and-nlu.md).
quality: train
	$(PY) -m bot quality

run: banner install
	$(PY) -m bot run

banner:
	@echo "Werkwijzer: setting up (virtualenv, packages, responses, model) and then starting"
	@echo "  the assistant on http://127.0.0.1:$${BOT_RASA_PORT:-5005} (REST: /webhooks/rest/webhook),"
	@echo "  custom actions on http://127.0.0.1:$${BOT_ACTION_PORT:-5055},"
	@echo "  the demo page with the chat widget on http://127.0.0.1:$${BOT_WEB_PORT:-8080}/ . Ctrl-C stops everything."

validate: train
	$(PY) -m rasa data validate $(RASA_DATA) --fail-on-warnings || $(PY) -m rasa data validate $(RASA_DATA)

conversation-tests: train
	$(PY) -m rasa test core --stories tests/conversations --model models --out reports/conversations --fail-on-prediction-errors

test: train lint
	@bash scripts/test-prerequisites.sh  # installs Debian chromium + chromium-driver when missing; checks PostgreSQL/Redis
	$(PY) -m bot check
	$(PY) -m pytest
	$(PY) -m rasa data validate $(RASA_DATA)
	$(PY) -m rasa test core --stories tests/conversations --model models --out reports/conversations --fail-on-prediction-errors
	@$(MAKE) --no-print-directory audit

# The unit tier only (no trained model, no running processes): seconds, for every edit.
# The other tiers: pytest -m model / -m stack / -m browser (pyproject.toml, tests/conftest.py).
test-fast: install
	$(PY) -m pytest -m unit -q

# Lint (ruff; its settings are in pyproject.toml). Formatting is not enforced yet.
lint: install
	$(PY) -m ruff check .

# Dependency audit: pip-audit over requirements.lock, in an environment of its own (it needs
# packaging>=21, Rasa 3.6 pins packaging<21). SECURITY.md holds the decisions on what it finds.
AUDIT_VENV := .venv-audit
$(AUDIT_VENV)/.installed: requirements-audit.lock
	@[ -x $(AUDIT_VENV)/bin/python ] || $(PY) -m venv $(AUDIT_VENV)
	$(AUDIT_VENV)/bin/python -m pip install --disable-pip-version-check -q -r requirements-audit.lock
	@touch $@

audit: install
	@$(MAKE) --no-print-directory $(AUDIT_VENV)/.installed \
	  || { echo "Dependency audit NOT DONE: pip-audit could not be installed (no package index?)"; exit 0; }
	@[ ! -x $(AUDIT_VENV)/bin/pip-audit ] || $(PY) -m bot.tools.dependency_audit $(AUDIT_VENV)/bin/pip-audit requirements.lock SECURITY.md

# Benchmark against a plain `rasa init` assistant, and the Rasa patches off and on (docs/performance.md).
# Extra options: make bench BENCH_ARGS="--workers 2 --endpoints endpoints.scale.yml"
bench: train
	$(PY) -m bot bench $(BENCH_ARGS)

shell: train
	$(PY) -m rasa shell --model models --endpoints endpoints.yml

# Re-pin every package after changing pyproject.toml's dependencies (needs the registry).
lock: install
	$(PY) -m pip install -e '.[test]'
	$(PY) -m pip freeze --exclude-editable | grep -v '^-e ' > requirements.lock

clean:
	rm -rf models var reports .rasa
