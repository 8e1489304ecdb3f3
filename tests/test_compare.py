"""Claim reports and `python -m specs.compare`: what changed between two runs, by concept and claim."""

from __future__ import annotations

import pytest

from specs import compare
from tests.plant import REPO

SPEC = """
import os, torch

def test_stable(device):
    '''ones are ones'''
    assert torch.ones(1, device=device).item() == 1

def test_changes(device):
    '''this claim broke in the new build'''
    assert os.environ.get("BROKEN") is None
"""


@pytest.fixture
def reports(pytester, monkeypatch):
    pytester.makeconftest((REPO / "conftest.py").read_text())
    pytester.makepyfile(test_concept=SPEC)
    monkeypatch.delenv("BROKEN", raising=False)
    pytester.runpytest_inprocess("--report-log=old.jsonl")
    monkeypatch.setenv("BROKEN", "1")
    pytester.runpytest_inprocess("--report-log=new.jsonl")
    return pytester.path / "old.jsonl", pytester.path / "new.jsonl"


def test_report_carries_claim_concept_and_environment(reports):
    results, env = compare._read_report(reports[0])
    assert results["test_concept.py::test_changes[cpu]"] == ("passed", "this claim broke in the new build", "test_concept")
    assert results["test_concept.py::test_changes[cuda]"][0] in ("passed", "skipped")
    assert set(env) == {"torch", "torchvision", "numpy", "python", "cuda_build", "devices", "profile"}


def test_compare_prints_only_changed_claims_grouped_by_concept(reports, capsys):
    assert compare.main([str(reports[0]), str(reports[1])]) == 1
    out = capsys.readouterr().out
    assert "test_concept\n  this claim broke in the new build\n    test_concept.py::test_changes[cpu]: A passed -> B failed" in out
    assert "ones are ones" not in out
    assert out.startswith(f"A: {reports[0]}: torch ")


def test_compare_of_a_report_with_itself_is_clean(reports, capsys):
    assert compare.main([str(reports[0]), str(reports[0])]) == 0
    assert "0 of " in capsys.readouterr().out


def test_list_prints_every_claim_by_concept(reports, capsys):
    assert compare.main(["--list", str(reports[1])]) == 0
    out = capsys.readouterr().out
    assert "  - ones are ones  (cpu passed x1" in out and "  - this claim broke in the new build  (cpu failed x1" in out
