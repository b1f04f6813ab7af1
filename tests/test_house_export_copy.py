"""The house export under tests/data is a byte-for-byte copy of ../shared/house-export, so that the
tests run on a clean clone without ../shared; when ../shared is there, the copy must not drift."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import SHARED as SHARED_ROOT

COPY = Path(__file__).parent / "data" / "house-export"
SHARED = SHARED_ROOT / "house-export"


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_the_copy_holds_what_the_tests_read():
    names = set(files(COPY))
    assert {"README.md", "PERFORMANCE.md", "fund-range.xlsx", "nav/990101.csv", "benchmark/990101.csv",
            "proxy/LU0000990301.csv"} <= names
    assert len([n for n in names if n.startswith("nav/")]) == 7


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/house-export is not here (a clean clone)")
def test_the_copy_matches_shared():
    copy, shared = files(COPY), files(SHARED)
    assert sorted(copy) == sorted(shared)
    assert [name for name in copy if copy[name] != shared[name]] == []
