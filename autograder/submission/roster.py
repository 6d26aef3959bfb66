"""A class roster (CSV) that says whose each submission is, with every id an LMS needs.

Any CSV with a header row works, Canvas's gradebook export included. Columns are
recognised by name, case and spacing aside:

| field | column names |
|---|---|
| student id | `student_id`, `sid`, `SIS User ID`, `student number` |
| Canvas user id | `canvas_id`, `ID` (as in Canvas's export), `user_id` |
| name | `name`, `Student`, `full name` |
| email | `email`, `email address` |
| login | `login`, `username`, `SIS Login ID` |
| section | `section` |
| LTI user id | `lti_user_id`, `lti_id` |
| submission | `submission`: the submission id, when it is none of the above |
| submitted at | `submitted_at`: ISO 8601, for late penalties where the download has no time |

A submission is matched to a row by the ids its download carries (Canvas user id,
Gradescope student id, email), then by its id against every id of the row. It then
takes the row's student id as its own id.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass, replace
from pathlib import Path

from autograder.results.model import Identity
from autograder.submission.discover import Submission

COLUMNS = {
    "id": ("student id", "sid", "sis user id", "student number"),
    "canvas_id": ("canvas id", "id", "user id"),
    "name": ("name", "student", "full name"),
    "email": ("email", "email address"),
    "sis_login_id": ("login", "username", "sis login id"),
    "section": ("section",),
    "lti_user_id": ("lti user id", "lti id"),
    "submission": ("submission",),
    "submitted_at": ("submitted at",),
}


class RosterError(Exception):
    pass


def _normal(header: str) -> str:
    return re.sub(r"[\s_]+", " ", header.strip().lower())


@dataclass
class Row:
    identity: Identity
    submission: str = ""
    submitted_at: str = ""

    def keys(self) -> set[str]:
        ident = self.identity
        keys = {self.submission, ident.id, ident.canvas_id, ident.sis_login_id, ident.email.lower(),
                ident.email.split("@")[0].lower(), ident.lti_user_id}
        return {k for k in keys if k}


class Roster:
    def __init__(self, rows: list[Row]) -> None:
        self.rows = rows

    @classmethod
    def load(cls, path: str | Path) -> "Roster":
        try:
            with open(path, newline="", encoding="utf-8-sig") as data:
                reader = csv.DictReader(data)
                fields = {_normal(h): h for h in reader.fieldnames or []}
                columns = {field: next((fields[n] for n in names if n in fields), None)
                           for field, names in COLUMNS.items()}
                if not any(columns[f] for f in ("id", "canvas_id", "email", "sis_login_id", "submission")):
                    raise RosterError(f"{path}: no id column (student_id, ID, email, login or submission)")
                rows = []
                for record in reader:
                    value = {f: (record.get(c) or "").strip() if c else "" for f, c in columns.items()}
                    if value["name"] == "Points Possible" or not any(value.values()):
                        continue  # the second header line of a Canvas export
                    ident = Identity(id=value["id"] or value["sis_login_id"] or value["email"] or value["canvas_id"]
                                     or value["submission"], name=value["name"], email=value["email"],
                                     canvas_id=value["canvas_id"], sis_login_id=value["sis_login_id"],
                                     section=value["section"], lti_user_id=value["lti_user_id"])
                    rows.append(Row(ident, value["submission"], value["submitted_at"]))
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            raise RosterError(f"cannot read the roster {path}: {exc}") from None
        return cls(rows)

    def _by_identity(self, known: Identity) -> Row | None:
        for row in self.rows:
            ident = row.identity
            if (known.canvas_id and known.canvas_id == ident.canvas_id) or (known.id and known.id == ident.id) \
                    or (known.email and known.email.lower() == ident.email.lower()):
                return row
        return None

    def find(self, submission: Submission) -> Row | None:
        if submission.students and (row := self._by_identity(submission.students[0])):
            return row
        wanted = submission.id.lower()
        return next((row for row in self.rows if wanted in {k.lower() for k in row.keys()}), None)

    def identify(self, submission: Submission) -> tuple[Submission, bool]:
        """The submission under its student's id and identity, and whether the roster knew it.
        A group's other members are looked up too, and kept as the LMS named them if absent."""
        row = self.find(submission)
        if row is None:
            return submission, False
        others = tuple(found.identity if (found := self._by_identity(s)) else s for s in submission.students[1:])
        return replace(submission, id=row.identity.id, students=(row.identity, *others),
                       submitted_at=submission.submitted_at or row.submitted_at), True
