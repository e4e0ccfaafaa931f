"""System prompts, one Markdown file per agent, read once per process."""

from __future__ import annotations

from functools import cache
from importlib import resources

NAMES = ("coo", "leasing", "marketing", "property")


@cache
def load_prompt(name: str) -> str:
    if name not in NAMES:
        raise ValueError(f"No prompt named {name!r}.")
    return resources.files(__package__).joinpath(f"{name}.md").read_text(encoding="utf-8").strip()
