"""docs/release-history.md is generated from the suite's release markers and must be current."""

from __future__ import annotations

import pytest

from specs import release_history
from specs.helpers import torch_at_least


@pytest.mark.skipif(not torch_at_least("2.3"), reason="before torch 2.3 the uint16/32/64 cases, and their gates, "
                    "are not generated, so the markers differ from the file's (generated on a current torch)")
def test_release_history_is_current():
    text = release_history.render(release_history.collect())
    current = release_history.DOC.read_text() if release_history.DOC.exists() else ""
    assert current == text, (
        "docs/release-history.md is stale (a torch_version/torchvision_version/known_bug marker changed): "
        "run `python -m specs.release_history --write`"
    )


def test_boundaries_name_where_a_truth_starts_and_stops():
    v = release_history.Version
    assert sorted(release_history.boundaries(">=2.4,<2.7")) == [(v("2.4"), "from"), (v("2.7"), "until")]
    assert sorted(release_history.boundaries("==2.4.*")) == [(v("2.4"), "from"), (v("2.5"), "until")]
    assert sorted(release_history.boundaries("<=2.8")) == [(v("2.9"), "until")]
