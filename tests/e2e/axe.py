"""axe-core (npm, pinned in package.json; `make install` runs `npm ci`) run inside a page of the
real browser, at WCAG 2.1 A and AA.

The site's Content-Security-Policy admits scripts from the site only, so axe's source is
evaluated through the DevTools protocol (`page.evaluate`), which the policy does not govern; the
pages themselves keep their policy. Under CI=true a missing axe-core fails the test."""

from __future__ import annotations

import functools
from collections import Counter
from pathlib import Path

from tests.conftest import need

AXE_FILE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@functools.cache
def _source() -> str:
    return AXE_FILE.read_text(encoding="utf-8")


def axe_available() -> None:
    """Skip (fail under CI=true) when `npm ci` has not installed axe-core."""
    need(AXE_FILE.is_file(), f"axe-core at {AXE_FILE} (run `make install` with npm present)")


def axe_run(page) -> list[dict]:
    """The WCAG 2.1 AA violations axe finds in the page as it is now."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_source())
    return page.evaluate(
        """tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes:
        ['violations']}).then(r => r.violations.map(v => ({id: v.id, impact: v.impact,
        help: v.help, targets: v.nodes.map(n => n.target.join(' ')),
        why: (v.nodes[0].any.concat(v.nodes[0].all, v.nodes[0].none)[0] || {}).message || ''
        })))""",
        WCAG_21_AA,
    )


def axe_counts(violations: list[dict]) -> Counter:
    """Rule id -> number of elements that break it."""
    return Counter({v["id"]: len(v["targets"]) for v in violations})


def axe_describe(where: str, violations: list[dict]) -> list[str]:
    """One line per broken rule: the page, the rule, how many, the first few elements and what
    axe says about the first."""
    return [
        f"{where}: {v['id']} ×{len(v['targets'])}: {', '.join(v['targets'][:4])} — {v['why']}"
        for v in violations
    ]
