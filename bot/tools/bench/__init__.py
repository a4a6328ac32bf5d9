"""Benchmark: this assistant against a plain `rasa init` assistant, measured in the same run.

`python -m bot bench` (or `make bench`) builds and trains the `rasa init` assistant once (cached in
`.cache/bench/`), starts each assistant in turn, sends it realistic conversations over the REST
channel from a separate load-generating process (`bot.tools.bench.load`), and writes a Markdown + JSON
report with a latency-versus-concurrency plot to `reports/bench/`. Figures are given as ratios
against the baseline of the same run, because the machine's speed (and what else runs on it)
changes the absolute numbers.
"""
