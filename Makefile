# Migrant information assistant. `make help` lists the targets.
.DEFAULT_GOAL := help
PY := .venv/bin/python

help: ## list the targets
	@grep -hE '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

run: ## start everything: servers, trained model (first start trains one)
	@scripts/start.sh

run-scaled: ## start REPLICAS Rasa servers (3) and ACTIONS action servers (2) behind nginx, on PostgreSQL and Redis
	@scripts/run-scaled.sh $(or $(REPLICAS),3) $(or $(ACTIONS),2)

test: ## run every check and test (installs what it needs)
	@scripts/test.sh

setup: ## create .venv with the pinned packages
	@scripts/setup.sh

chat: setup ## chat with the running assistant in this terminal
	@$(PY) -m bot.tools.chat $(ARGS)

content-check: setup ## list missing, too short or stale content
	@$(PY) -m bot.core.content check

# LANG is the shell's locale, not a language of the content: `make content-stamp LANG=lv`
# (an old spelling) would stamp every language, so it is refused; the environment's LANG is fine.
ifeq ($(origin LANG),command line)
ifneq ($(filter content-stamp,$(MAKECMDGOALS)),)
$(error content-stamp narrows by LANG_CODE, not LANG: make content-stamp LANG_CODE=$(LANG) (LANG=$(LANG) would stamp every language))
endif
endif
content-stamp: setup ## mark translations up to date (LANG_CODE=lv TOPIC=residence_permit to narrow)
	@$(PY) -m bot.core.content stamp $(if $(LANG_CODE),--lang $(LANG_CODE)) $(if $(TOPIC),--topic $(TOPIC))

build: setup ## generate Rasa's training data and domain into build/
	@$(PY) -m bot.core.content build

train: setup ## train a model for the current content (skipped if one exists)
	@$(PY) -m bot.tools.train

evaluate: setup ## score the running assistant on both held-out sets (the team's, and real questions from outside)
	@echo "== the team's held-out questions (data/eval/heldout.jsonl)"
	@$(PY) -m bot.tools.evaluation data/eval/heldout.jsonl --show-errors
	@echo; echo "== real questions from outside the team (data/eval/real.jsonl)"
	@$(PY) -m bot.tools.evaluation data/eval/real.jsonl --show-errors

messages-extract: setup ## collect interface strings into locales/messages.pot
	@.venv/bin/pybabel extract -F babel.cfg -o locales/messages.pot --no-location --omit-header .
	@for lang in $$(ls locales | grep -v messages.pot); do .venv/bin/pybabel update -i locales/messages.pot -d locales -l $$lang --width 100; done

messages-check: setup ## fail on missing, empty or fuzzy interface translations
	@$(PY) -m bot.core.translations_check

messages-template-check: setup staff-setup ## fail when a messages.pot (assistant's, staff app's) differs from the strings the code marks
	@$(PY) scripts/check_catalog.py babel.cfg locales/messages.pot --fix-hint "make messages-extract"
	@.venv-staff/bin/python scripts/check_catalog.py bot/staff/babel.cfg bot/staff/locales/messages.pot --fix-hint "make staff-messages"

lint: setup ## ruff, and the import contract between the process packages
	@.venv/bin/ruff check bot actions tests benchmarks
	@.venv/bin/lint-imports --no-cache

typecheck: setup ## mypy on the shared core, bot/core ([tool.mypy] in pyproject.toml)
	@.venv/bin/mypy

lock: ## rewrite requirements.txt and requirements-dev.txt, with hashes (ARGS=--upgrade: newest allowed releases)
	@scripts/lock.sh requirements $(ARGS)

staff-setup: ## create .venv-staff, the staff web app's own environment
	@scripts/staff-setup.sh

staff-admin: staff-setup ## create a staff admin: make staff-admin EMAIL=you@example.org (asks for a password)
	@test -n "$(EMAIL)" || { echo "Usage: make staff-admin EMAIL=you@example.org"; exit 2; }
	@. scripts/env.sh && .venv-staff/bin/python -m bot.staff create-admin --email "$(EMAIL)"

staff-test: staff-setup ## run only the staff web app's tests (in .venv-staff)
	@. scripts/env.sh && .venv-staff/bin/python -m pytest -c tests/staff/pytest.ini --rootdir=. $(ARGS)

staff-messages: staff-setup ## collect the staff app's interface strings and merge them into its catalogs
	@.venv-staff/bin/pybabel extract -F bot/staff/babel.cfg -o bot/staff/locales/messages.pot --no-location --omit-header --sort-output .
	@for lang in $$(ls bot/staff/locales | grep -v -e messages.pot -e README.md); do .venv-staff/bin/pybabel update -i bot/staff/locales/messages.pot -d bot/staff/locales -l $$lang --width 100; done

staff-lock: ## rewrite requirements-staff.txt and requirements-staff-dev.txt, with hashes (ARGS=--upgrade)
	@scripts/lock.sh requirements-staff $(ARGS)

bench-tools: setup
	@$(PY) -c "import psutil" 2>/dev/null || $(PY) -m pip install -q -r benchmarks/requirements.txt

bench-understanding: bench-tools ## benchmark: held-out accuracy, project pipeline vs Rasa's default (trains both)
	@$(PY) benchmarks/understanding.py $(ARGS)

bench-clinc150: bench-tools ## benchmark: CLINC150, project pipeline vs Rasa's default (default takes ~1 h; resumable)
	@$(PY) benchmarks/clinc150.py $(ARGS)

# the proxy topology runs the switch proxy from the staff environment
bench-load: bench-tools $(if $(findstring proxy,$(ARGS)),staff-setup) ## benchmark: concurrent users over REST, project vs Rasa's default (ARGS="--users 20 --think 2")
	@$(PY) benchmarks/load.py $(ARGS)

bench-lbfgs: bench-tools ## benchmark: accuracy after each number of lbfgs iterations, classifier alone (ARGS="--data content")
	@$(PY) benchmarks/lbfgs_iterations.py $(ARGS)

bench-targets: setup ## the issue's targets against the saved benchmark results
	@$(PY) benchmarks/targets.py

.PHONY: help run test setup chat content-check content-stamp build train evaluate messages-extract messages-check messages-template-check lint typecheck lock \
	staff-setup staff-admin staff-test staff-messages staff-lock bench-tools bench-understanding bench-clinc150 bench-load bench-lbfgs bench-targets
