"""Generate a realistic manifest tree: N resources spread over F files (shared by benchmarks)."""

from __future__ import annotations

import argparse
from pathlib import Path

CAMPAIGN = "924cd632-0dc9-4a59-a3f1-b892936fd233"
CANVAS = "3581a480-4930-4bfa-a41e-da73bfe8cc92"
APP = "25e3cca7-b5cb-4140-9153-f2e1f90b0499"
SEGMENT = "7ad353fb-b5b6-45f1-b427-f4006e11b003"


def document(index: int, day: int = 10) -> str:
    hour = index % 24
    minute = (index // 24) % 60
    kind = index % 3
    if kind == 0:
        return f"""kind: ScheduledMessage
name: message-{index:05d}
description: Benchmark message {index}
labels: {{team: bench, shard: "{index % 10}"}}
spec:
  broadcast: true
  segment_id: {SEGMENT}
  schedule:
    time: "2026-12-{day:02d}T{hour:02d}:{minute:02d}:00Z"
  messages:
    apple_push:
      alert: "Hello number {index}"
      badge: 1
    email:
      app_id: {APP}
      from: "Acme <news@acme.example>"
      subject: "Issue {index}"
      body: "<p>Hello {index}</p>"
"""
    if kind == 1:
        return f"""kind: CampaignSchedule
name: campaign-{index:05d}
labels: {{team: bench}}
spec:
  campaign_id: {CAMPAIGN}
  recipients:
    - external_user_id: user-{index}
      trigger_properties: {{rank: {index}}}
  trigger_properties:
    promo: "P{index}"
  schedule:
    time: "2026-12-{day:02d}T{hour:02d}:{minute:02d}:00"
    in_local_time: true
"""
    return f"""kind: CanvasSchedule
name: canvas-{index:05d}
spec:
  canvas_id: {CANVAS}
  broadcast: true
  audience:
    custom_attribute:
      custom_attribute_name: tier
      comparison: equals
      value: gold
  context:
    variant: {index}
  schedule:
    time: "2026-12-{day:02d}T{hour:02d}:{minute:02d}:00Z"
"""


def write_tree(root: Path, resources: int, files: int, day: int = 10) -> None:
    root.mkdir(parents=True, exist_ok=True)
    per_file = -(-resources // files)
    index = 0
    for number in range(files):
        docs = []
        for _ in range(per_file):
            if index >= resources:
                break
            docs.append(document(index, day))
            index += 1
        folder = root / f"team-{number % 20:02d}"
        folder.mkdir(exist_ok=True)
        (folder / f"schedules-{number:04d}.yaml").write_text("---\n".join(docs), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("root", type=Path)
    parser.add_argument("--resources", type=int, default=10_000)
    parser.add_argument("--files", type=int, default=500)
    args = parser.parse_args()
    write_tree(args.root, args.resources, args.files)


if __name__ == "__main__":
    main()
