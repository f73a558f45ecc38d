"""A progress bar on stderr that stays out of the way of pipes, CI logs and --quiet."""

from __future__ import annotations

import sys

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, SpinnerColumn, TaskID, TextColumn, TimeRemainingColumn
from rich.progress import Progress as RichProgress


class Progress:
    """rich's progress bar when stderr is a terminal, otherwise nothing at all."""

    def __init__(self, total: int, quiet: bool = False):
        self.enabled = not quiet and sys.stderr.isatty()
        self._bar: RichProgress | None = None
        self._task: TaskID | None = None
        self.total = total

    def __enter__(self) -> Progress:
        if self.enabled:
            self._bar = RichProgress(
                SpinnerColumn(),
                TextColumn("{task.description}", style="progress.description"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self._bar.__enter__()
            self._task = self._bar.add_task("starting", total=self.total)
        return self

    def update(self, description: str) -> None:
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, description=description)

    def advance(self) -> None:
        if self._bar is not None and self._task is not None:
            self._bar.advance(self._task)

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.__exit__(*exc)
