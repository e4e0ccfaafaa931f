"""Re-embed all of a team's knowledge chunks: ``manage.py reembed_team --team SLUG [--embedder NAME]``.

For switching a team to another embedder (say from the offline MiniLM to OpenAI once a key is
set: new chunks keep using the embedder the team's index was built with until then), or after
an embedding model changes. Search keeps working during the run.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from crm.teams.models import Team
from knowledge.embedders import MINILM_NAME, EmbeddingError, get_embedder
from knowledge.reembedding import REEMBED_BATCH, team_reembed


class Command(BaseCommand):
    help = "Re-embed every knowledge chunk of one team, in batches, recording the embedder on each chunk."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--team", required=True, help="The team's slug.")
        parser.add_argument(
            "--embedder",
            default=None,
            help=f"{MINILM_NAME!r} or 'openai:<model>' (default: OpenAI when OPENAI_API_KEY is set, "
            f"else {MINILM_NAME}).",
        )
        parser.add_argument(
            "--resume", action="store_true", help="Skip chunks the embedder already built (finish an interrupted run)."
        )
        parser.add_argument("--batch-size", type=int, default=REEMBED_BATCH, help="Chunks per batch.")

    def handle(
        self, *args: Any, team: str, embedder: str | None, resume: bool, batch_size: int, **options: Any
    ) -> None:
        team_obj = Team.objects.filter(slug=team).first()
        if team_obj is None:
            raise CommandError(f"No team has the slug {team!r}.")
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        try:
            chosen = get_embedder(embedder)
        except LookupError as exc:
            raise CommandError(str(exc)) from exc

        started = time.perf_counter()
        reported = [started]

        def progress(done: int, total: int) -> None:
            now = time.perf_counter()
            if now - reported[0] >= 5 or done == total:
                reported[0] = now
                self.stdout.write(f"  {done:,} of {total:,} chunks")

        self.stdout.write(f"Re-embedding team {team_obj.slug} with {chosen.name}…")
        try:
            count = team_reembed(
                team=team_obj, embedder=chosen, resume=resume, batch_size=batch_size, on_batch=progress
            )
        except EmbeddingError as exc:
            raise CommandError(f"{exc} Chunks done so far keep their new vectors; rerun with --resume.") from exc
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Re-embedded {count:,} chunks of team {team_obj.slug} with {chosen.name} in {elapsed:.1f} s."
            )
        )
