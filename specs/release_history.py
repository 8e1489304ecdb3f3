"""Generate docs/release-history.md from the suite itself: what changed in these concepts, release by release.

Every release truth of the suite is a marker on a spec (or on one parametrized case of it):
``torch_version`` / ``torchvision_version`` gates and ``known_bug`` markers, each with its reason and
source. This module collects them by importing the spec modules (so reasons held in constants resolve),
turns each specifier into the releases where something starts or stops holding, and writes one section
per release: what changed, its source, and the specs that prove it.

    python -m specs.release_history            # print it
    python -m specs.release_history --write    # rewrite docs/release-history.md
    python -m specs.release_history --check    # exit 1 when docs/release-history.md is stale

``tests/test_release_history.py`` fails when the file is stale.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections import defaultdict
from pathlib import Path

from packaging.specifiers import SpecifierSet
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "release-history.md"
KINDS = ("torch_version", "torchvision_version", "known_bug")

HEADER = """# Release history: what changed in these concepts, release by release

Generated from the suite itself -- every `torch_version` / `torchvision_version` gate and every
`known_bug` marker on a spec (or on one parametrized case of a spec), with the reason and source it
carries. Each entry names the release where a truth starts or stops holding and the specs that prove it
on that release; a gated claim has a twin stating the other side. Regenerate after changing a marker:

```bash
python -m specs.release_history --write
```

(`tests/test_release_history.py` fails while this file is stale.)
"""


def _marks(obj) -> list:
    return list(getattr(obj, "pytestmark", []))


def collect() -> list[dict]:
    """Every release marker of every spec: kind, specifier, reason, issue, numpy, spec, module, case."""
    sys.path.insert(0, str(ROOT))
    entries = []
    for path in sorted((ROOT / "specs").glob("test_*.py")):
        module = importlib.import_module(f"specs.{path.stem}")
        for name, fn in sorted(vars(module).items()):
            if not (name.startswith("test_") and callable(fn)):
                continue
            for mark in _marks(fn):
                if mark.name in KINDS:
                    entries.append(_entry(mark, name, path.stem, None))
                elif mark.name == "parametrize":
                    for param in mark.args[1]:
                        for inner in getattr(param, "marks", ()):
                            if inner.name in KINDS:
                                case = param.id if getattr(param, "id", None) else repr(param.values)
                                entries.append(_entry(inner, name, path.stem, case))
    return entries


def _entry(mark, spec, module, case) -> dict:
    # a known bug of torchvision's (known_bug(..., torchvision=SPEC)) is dated by torchvision's releases
    vision_bug = mark.name == "known_bug" and mark.kwargs.get("torchvision")
    return {
        "kind": mark.name,
        "package": "torchvision" if vision_bug or mark.name == "torchvision_version" else "torch",
        "spec": mark.kwargs["torchvision"] if vision_bug else mark.args[0],
        "reason": " ".join(str(mark.kwargs.get("reason", "")).split()),
        "issue": mark.kwargs.get("issue"),
        "numpy": mark.kwargs.get("numpy"),
        "device": mark.kwargs.get("device"),
        "backend": mark.kwargs.get("backend"),
        "test": spec,
        "module": module,
        "case": case,
    }


def _next_minor(v: Version) -> Version:
    return Version(f"{v.major}.{v.minor + 1}")


def boundaries(spec: str) -> list[tuple[Version, str]]:
    """(release, 'from' | 'until') where a specifier starts or stops matching, by minor release."""
    out = []
    for s in SpecifierSet(spec):
        v = Version(s.version.replace(".*", ""))
        if s.operator in (">=",):
            out.append((v, "from"))
        elif s.operator == ">":
            out.append((_next_minor(v), "from"))
        elif s.operator == "<":
            out.append((v, "until"))
        elif s.operator == "<=":
            out.append((_next_minor(v), "until"))
        elif s.operator in ("==", "~="):
            out.append((v, "from"))
            out.append((_next_minor(v), "until"))
    return out


#: the oldest releases the suite supports: a truth "from" these is no change
FLOOR = {"torch": Version("2.0"), "torchvision": Version("0.15")}


def _package(entry) -> str:
    return entry.get("package") or ("torchvision" if entry["kind"] == "torchvision_version" else "torch")


def _line(entry, edge) -> str:
    where = f"`{entry['module']}.py::{entry['test']}`" + (f" case `{entry['case']}`" if entry["case"] else "")
    if entry["kind"] == "known_bug":
        numpy = f" with numpy {entry['numpy']}" if entry["numpy"] else ""
        numpy += f" on {entry['device']}" if entry.get("device") else ""
        numpy += f" under {entry['backend']}" if entry.get("backend") else ""
        what = "known bug appears" if edge == "from" else "known bug fixed"
        return f"- **{what}** (`{entry['spec']}`{numpy}): {entry['reason']} ({entry['issue']}) -- {where}"
    what = "holds from here" if edge == "from" else "last held in the release before"
    return f"- **{what}** (`{entry['spec']}`): {entry['reason']} -- {where}"


def render(entries: list[dict]) -> str:
    sections = defaultdict(list)
    for entry in entries:
        for version, edge in boundaries(entry["spec"]):
            if version <= FLOOR[_package(entry)]:
                continue
            sections[(_package(entry), version)].append(_line(entry, edge))
    lines = [HEADER]
    for package in ("torch", "torchvision"):
        keys = sorted(v for p, v in sections if p == package)
        if not keys:
            continue
        lines.append(f"## {package}\n")
        for version in keys:
            items = sorted(set(sections[(package, version)]))
            lines.append(f"### {package} {version}\n")
            lines.extend(items)
            lines.append("")
    total = len({(e["test"], e["case"], e["spec"], e["kind"]) for e in entries})
    lines.append(f"{total} release markers on {len({e['test'] for e in entries})} specs.")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--write", action="store_true", help=f"rewrite {DOC.relative_to(ROOT)}")
    group.add_argument("--check", action="store_true", help="exit 1 when the file is stale")
    args = parser.parse_args(argv)
    text = render(collect())
    if args.write:
        DOC.write_text(text)
    elif args.check:
        if not DOC.exists() or DOC.read_text() != text:
            print(f"{DOC.relative_to(ROOT)} is stale: run `python -m specs.release_history --write`")
            return 1
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
