"""Importing this module loads what every scoring process needs: the modules, VADER's lexicon, the actor-tone
model and the English term prior (about 1.5 s of work).

AnalysisPool has the forkserver import it once; every scoring process is then forked with all of it loaded
instead of loading it again. In a long-running process (`newswatch serve`) the forkserver outlives the runs,
so later runs start their scoring processes almost at once. Nothing here depends on the config or the store.
"""

from __future__ import annotations

import newswatch.sources.feeds  # noqa: F401  (parsing runs in the scoring processes too)
from newswatch.analysis import analyzer, tone  # noqa: F401
from newswatch.analysis.actors.model import shipped_model
from newswatch.text.corpus_stats import load_prior

tone.analyzer()
shipped_model()
load_prior()
