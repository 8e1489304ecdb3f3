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
    pytester.runpytest_inprocess("--report-log=old.jsonl", "--devices", "cpu,cuda")
    monkeypatch.setenv("BROKEN", "1")
    pytester.runpytest_inprocess("--report-log=new.jsonl", "--devices", "cpu,cuda")
    return pytester.path / "old.jsonl", pytester.path / "new.jsonl"


def test_report_carries_claim_concept_and_environment(reports):
    results, env = compare._read_report(reports[0])
    assert results["test_concept.py::test_changes[cpu]"] == ("passed", "this claim broke in the new build", "test_concept")
    assert results["test_concept.py::test_changes[cuda]"][0] in ("passed", "skipped")
    assert set(env) == {"torch", "torchvision", "numpy", "python", "cuda_build", "cudnn", "gpus", "devices", "profile", "suite"}


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
    assert "  - ones are ones  [proven on: cpu]  (cpu: passed x1; cuda: skipped x1)" in out
    assert "  - this claim broke in the new build  [proven on: no device]  (cpu: failed x1; cuda: skipped x1)" in out


def test_atlas_tables_only_the_claims_that_differ_across_any_number_of_reports(reports, capsys):
    old, new = map(str, reports)
    assert compare.main([old, new, old]) == 0
    out = capsys.readouterr().out
    assert "1 of 2 claims differ between 3 reports" in out
    assert "test_concept\n" in out and "this claim broke in the new build" in out
    assert "ones are ones" not in out
    row = next(line for line in out.splitlines() if "this claim broke" in line)
    assert row.split()[:3] == ["passed", "failed", "passed"]


def test_atlas_in_markdown(reports, capsys):
    old, new = map(str, reports)
    assert compare.main([old, new, "--format", "markdown"]) == 0
    out = capsys.readouterr().out
    assert "| claim | old | new |" in out  # one release twice: the columns are named by report file
    assert "| this claim broke in the new build (`test_changes`) | passed | failed |" in out
    assert "### test_concept" in out


def test_list_says_where_each_claim_was_proven(reports, capsys):
    assert compare.main(["--list", str(reports[0])]) == 0
    out = capsys.readouterr().out
    assert "  - ones are ones  [proven on: cpu]" in out
    assert "proven: cpu 2 of 2 claims" in out
