"""The progress bar a long job shows on the command line: done of total, percent, rate, time left, and
any running counts the job wants beside them (errors so far, say). `rich`, as every CLI here."""

from __future__ import annotations

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text


class RateColumn(ProgressColumn):
    def __init__(self, unit: str):
        super().__init__()
        self.unit = unit

    def render(self, task: Task) -> Text:
        return Text(f"{task.speed or 0:,.0f} {self.unit}/s", style="progress.data.speed")


def job_progress(unit: str, console: Console | None = None) -> Progress:
    """`with job_progress("agreements") as bar: task = bar.add_task(name, total=..., note="")`; a task's
    `note` field is shown at the end (update it with bar.update(task, note="3 errors"))."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        RateColumn(unit),
        TimeRemainingColumn(),
        TextColumn("{task.fields[note]}"),
        console=console or Console(),
    )
