"""What the template checks and "what recipients will read" cost, in-process, on the plan
benchmark's tree (10,000 resources, a ledger giving 1,000 changes): as written (no Liquid), and
with Liquid in every scheduled message's alert and subject (distinct texts per resource).

Measured: ``validate``'s Liquid check over every document; the planner with and without its
texts post-step; the text renderer with and without the texts; and that a no-op plan renders no
text. Medians of a few runs in one warm process, so the differences hold better than the
absolute times on a loaded machine.

Run: ``python benchmarks/texts_bench.py [--resources 10000] [--files 500] [--repeat 5]``.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from bench_support import NOW, machine
from manifest_tree import write_tree
from plan_bench import ledger_records, make_ledger

from reconciler.kinds import Kind
from reconciler.manifest.liquid import liquid_diagnostics
from reconciler.manifest.loader import load_manifests
from reconciler.manifest.yamlload import compose_documents
from reconciler.plan import planner, texts
from reconciler.plan.model import Change
from reconciler.render.text import render_text


def median(action: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def with_liquid(manifests: Path) -> None:
    for path in manifests.rglob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        text = text.replace(
            'alert: "Hello number', "alert: \"Hello {{${first_name} | default: 'there'}} number"
        )
        text = text.replace('subject: "Issue', 'subject: "For {{${first_name}}}: issue')
        path.write_text(text, encoding="utf-8")


def no_texts(
    changes: Iterable[Change],
    source: texts.MessageSource | None = None,
    attributes: Mapping[str, Any] | None = None,
) -> list[Change]:
    del source, attributes
    return list(changes)


def run(root: Path, liquid: bool, resources: int, files: int, repeat: int) -> str:
    manifests = root / ("liquid" if liquid else "plain")
    write_tree(manifests, resources, files)
    if liquid:
        with_liquid(manifests)
    documents = []
    for path in sorted(manifests.rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        documents += [(str(path), document, text) for document in compose_documents(text)]
    messages = [d for d in documents if d[1].value.get("kind") == Kind.SCHEDULED_MESSAGE.value]
    check = median(lambda: [liquid_diagnostics(f, d, t, None) for f, d, t in messages], repeat)
    loaded = load_manifests([manifests], NOW).resources
    desired = {r.address: r for r in loaded}
    changed = make_ledger(
        root / f"{manifests.name}-c.db", "http://bench", ledger_records(loaded, changes=True)
    )
    noop = make_ledger(
        root / f"{manifests.name}-n.db", "http://bench", ledger_records(loaded, changes=False)
    )
    try:
        records = changed.records()
        planned = median(lambda: planner.plan(desired, records, NOW), repeat)
        kept = texts.with_texts
        planner.with_texts = no_texts  # type: ignore[attr-defined]
        try:
            bare = median(lambda: planner.plan(desired, records, NOW), repeat)
        finally:
            planner.with_texts = kept  # type: ignore[attr-defined]
        plan = planner.plan(desired, records, NOW)
        shown = sum(1 for c in plan.changes if c.texts)
        rendered = median(lambda: render_text(plan), repeat)
        stripped = plan.evolve(changes=tuple(c.evolve(texts=None) for c in plan.changes))
        rendered_bare = median(lambda: render_text(stripped), repeat)
        noop_plan = planner.plan(desired, noop.records(), NOW)
        noop_texts = sum(1 for c in noop_plan.changes if c.texts)
    finally:
        changed.close()
        noop.close()
    return (
        f"{'with Liquid' if liquid else 'as written (no Liquid)'}: validate's Liquid check "
        f"{check:.3f} s over {len(messages)} scheduled messages; planner with 1,000 changes "
        f"{planned:.3f} s with texts, {bare:.3f} s without ({planned - bare:+.3f} s; {shown} "
        f"changes show texts); text render {rendered:.3f} s, {rendered_bare:.3f} s without "
        f"({rendered - rendered_bare:+.3f} s); no-op plan: {noop_texts} changes with texts"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--resources", type=int, default=10_000)
    parser.add_argument("--files", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory(prefix="texts-bench-") as directory:
        for liquid in (False, True):
            print(run(Path(directory), liquid, args.resources, args.files, args.repeat))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
