"""Late penalties: a due date and a policy turn a submission time into a fraction taken off.

The policy most courses use: a percentage per day late, each started day counting
in full after an optional grace period, and no credit at all past a last day. A
submission whose time is unknown but which the LMS flagged late (Canvas's bulk
download) counts as one day late, and its feedback says so.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from autograder.results.model import Late

DAY = timedelta(days=1)


def parse_time(text: str) -> datetime:
    """ISO 8601; a time without a zone is the grading machine's local time."""
    moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.astimezone()


@dataclass(frozen=True)
class LatePolicy:
    due: datetime
    percent_per_day: float = 10.0
    last_day: int | None = None  # later than this many days: no credit
    grace: timedelta = timedelta(0)

    def __post_init__(self) -> None:
        if not 0 <= self.percent_per_day <= 100:
            raise ValueError("the late penalty per day must lie between 0 and 100 (percent)")
        if self.last_day is not None and self.last_day < 0:
            raise ValueError("the last day for late work cannot be negative")

    def describe(self) -> str:
        text = f"due {self.due.isoformat()}; {self.percent_per_day:g}% off per day late"
        if self.grace:
            text += f" after {self.grace.total_seconds() / 60:g} minutes' grace"
        if self.last_day is not None:
            text += f"; no credit after {self.last_day} day(s)"
        return text

    def penalty(self, days: int) -> float:
        if self.last_day is not None and days > self.last_day:
            return 1.0
        return min(1.0, days * self.percent_per_day / 100)

    def assess(self, submitted_at: str, flagged_late: bool) -> Late | None:
        """What lateness costs, or None for work on time."""
        due = self.due.isoformat()
        if submitted_at:
            moment = parse_time(submitted_at)
            over = moment - self.due - self.grace
            if over <= timedelta(0):
                return None
            days = math.ceil(over / DAY)
            return Late(days=days, penalty=self.penalty(days), submitted_at=moment.isoformat(), due=due,
                        reason=f"submitted {_span(moment - self.due)} after the due date")
        if flagged_late:
            return Late(days=1, penalty=self.penalty(1), due=due,
                        reason="the LMS marked it late without its time, so it counts as one day late")
        return None


def _span(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours:.1f} hours" if hours < 48 else f"{hours / 24:.1f} days"


