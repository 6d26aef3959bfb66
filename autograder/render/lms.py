"""Grades for an LMS: Canvas's and Moodle's gradebook import CSVs, and the comment posted
with a grade. All rendered from the result records; a group submission gives every
member a row. Scores are after the late penalty.

- Canvas (Grades > Import): `Student, ID, SIS User ID, SIS Login ID, Section`, then
  one column per assignment headed `Title (canvas assignment id)`. Canvas matches rows
  by ID, SIS User ID or SIS Login ID; a column without an id makes a new assignment.
- Moodle (Grades > Import > CSV file): identity columns (email address, ID number,
  username) to map the users by, then a grade and a feedback column per assignment.
"""
from __future__ import annotations

import csv
from pathlib import Path

from autograder.results.model import Identity, SubmissionResult, held_assignments

COMMENT_CHARS = 4000  # LMS comment boxes are for a summary; the feedback page has the rest


def _number(value: float) -> str:
    return f"{value:g}"


def members(result: SubmissionResult) -> list[Identity]:
    return result.students or [Identity(id=result.submission)]


def comment(result: SubmissionResult, assignments: list[str] | None = None) -> str:
    """A plain-text summary a student reads beside the grade: the score, what failed and
    why (first line of each message), and any late penalty. Tests marked hidden stay out."""
    chosen = assignments or list(result.assignments)
    score, top = result.points(chosen)
    lines = [f"Autograder score: {score:g}/{top:g}."]
    for name in chosen:
        assignment = result.assignments.get(name)
        if assignment is None:
            continue
        wrong = [t for t in assignment.tests if t.status != "passed"]
        shown = [t for t in wrong if t.visibility != "hidden"]
        lines.append(f"{assignment.label}: {assignment.score:g}/{assignment.max_score:g}"
                     + (f", {len(wrong)} test(s) not passed:" if wrong else "."))
        lines += [f"- {t.name}: {t.feedback.splitlines()[0] if t.feedback else t.status}" for t in shown]
        if len(wrong) > len(shown):
            lines.append(f"- {len(wrong) - len(shown)} hidden test(s), whose details are not shown.")
    if result.late:
        lines.append(result.late.note)
    if not result.complete:
        lines.append("Grading did not finish; the course staff will grade it again.")
    text = "\n".join(lines)
    return text if len(text) <= COMMENT_CHARS else text[:COMMENT_CHARS - 40].rstrip() + "\n... (see the feedback page)"


def canvas_csv(path: Path, results: list[SubmissionResult], assignments: list[str],
               canvas_ids: dict[str, str]) -> int:
    """Writes Canvas's import CSV; returns the number of student rows."""
    rows = 0
    titles = held_assignments(results)
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section",
                         *(f"{titles.get(a, a)} ({canvas_ids[a]})" if a in canvas_ids else titles.get(a, a)
                           for a in assignments)])
        for result in results:
            for who in members(result):
                writer.writerow([who.name, who.canvas_id, who.id if who.id != who.canvas_id else "",
                                 who.sis_login_id, who.section,
                                 *(_number(result.final_score(a)) if a in result.assignments else ""
                                   for a in assignments)])
                rows += 1
    return rows


def moodle_csv(path: Path, results: list[SubmissionResult], assignments: list[str]) -> int:
    """Writes a CSV for Moodle's grade import; returns the number of student rows."""
    rows = 0
    titles = held_assignments(results)
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        header = ["Email address", "ID number", "Username", "Full name"]
        for a in assignments:
            header += [titles.get(a, a), f"{titles.get(a, a)} feedback"]
        writer.writerow(header)
        for result in results:
            for who in members(result):
                row = [who.email, who.id, who.sis_login_id, who.name]
                for a in assignments:
                    row += [_number(result.final_score(a)), comment(result, [a])] if a in result.assignments \
                        else ["", ""]
                writer.writerow(row)
                rows += 1
    return rows
