"""Leave-one-out quality of retrieval on the shipped library."""

from __future__ import annotations

import pytest

from services.casebase.evaluation import leave_one_out
from services.casebase.library import CaseLibrary
from services.casebase.retrieval import RetrievalWeights


def test_top3_of_each_held_out_case_share_its_kind_and_hazard_class(library: CaseLibrary, capsys: pytest.CaptureFixture[str]) -> None:
    result = leave_one_out(library.cases())
    with capsys.disabled():  # the figure belongs in the test output, not only on failure
        print(
            f"\nleave-one-out over {result.n_cases} cases: top-3 all match = {result.top_all_match:.3f}, "
            f"top-3 precision = {result.top_precision:.3f}, misses = {sorted(result.misses)}"
        )
    assert result.n_cases == len(library)
    assert result.top_all_match >= 0.8
    assert result.top_precision >= result.top_all_match


def test_the_figure_depends_on_the_taxonomy_weights(library: CaseLibrary) -> None:
    weather_only = RetrievalWeights(kind=0, hazard_class=0, substance=0, severity=0, scale=0, park_kind=0, weather=1, text=0)
    assert leave_one_out(library.cases(), weather_only).top_all_match < 0.3
