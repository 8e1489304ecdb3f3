"""Every claim is named by a planted regression: a spec that no regression targets is untested teeth.

Static check over the sources: each ``test_*`` function in ``specs/test_<concept>.py`` must appear by
name in ``tests/test_regressions_<concept>.py`` (as the node id a regression runs). Whether each
regression really kills its spec is what the regression files themselves prove.
"""

from __future__ import annotations

import ast
import re

import pytest

from tests.plant import REPO, SPECS

MODULES = sorted(SPECS.glob("test_*.py"))


def spec_names(path):
    tree = ast.parse(path.read_text())
    return [n.name for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.startswith("test")]


@pytest.mark.parametrize("module", MODULES, ids=[m.stem for m in MODULES])
def test_every_spec_is_targeted_by_a_planted_regression(module):
    regressions = REPO / "tests" / f"test_regressions_{module.stem.removeprefix('test_')}.py"
    assert regressions.exists(), f"{module.name} has no planted regressions ({regressions.name} is missing)"
    text = regressions.read_text()
    untargeted = [name for name in spec_names(module) if not re.search(rf"\b{name}\b", text)]
    assert not untargeted, f"specs no planted regression names in {regressions.name}: {untargeted}"
