"""Posting grades and feedback comments to Canvas through its REST API.

One request per student and Canvas assignment:
`PUT /api/v1/courses/:course/assignments/:assignment/submissions/:user` with
`submission[posted_grade]` and `comment[text_comment]`. A student is named by Canvas
user id where the download or roster gave one, else by SIS id (`sis_user_id:...`) or
login (`sis_login_id:...`), which Canvas accepts in place of the id. The API token comes
from CANVAS_TOKEN or CANVAS_TOKEN_FILE (secrets.py).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable
from urllib.parse import quote

from autograder import extras
from autograder.publish import http
from autograder.render.lms import comment, members
from autograder.results.model import Identity, SubmissionResult

if TYPE_CHECKING:  # imported where grades are posted: requests comes with autograder[lms]
    import requests


@dataclass
class Post:
    submission: str
    student: Identity
    user: str  # the user segment of the URL ("" when the student cannot be named to Canvas)
    assignment_id: str
    grade: float
    comment: str


@dataclass
class Outcome:
    post: Post
    ok: bool
    message: str = ""


def canvas_user(who: Identity) -> str:
    if who.canvas_id:
        return who.canvas_id
    if who.id:
        return f"sis_user_id:{who.id}"
    return f"sis_login_id:{who.sis_login_id}" if who.sis_login_id else ""


def plan(results: list[SubmissionResult], targets: dict[str, list[str]]) -> list[Post]:
    """`targets` maps a Canvas assignment id to the assignments whose points it gets (one, or all for a total)."""
    posts = []
    for result in results:
        for canvas_id, parts in targets.items():
            present = [a for a in parts if a in result.assignments]
            if not present:
                continue
            grade, _ = result.points(present)
            for who in members(result):
                posts.append(Post(result.submission, who, canvas_user(who), canvas_id, grade, comment(result, present)))
    return posts


def instance(url: str | None, course_id: str | None) -> tuple[str, str]:
    """The Canvas instance and course: as given, else $CANVAS_URL and $CANVAS_COURSE_ID."""
    url = url or os.environ.get("CANVAS_URL", "")
    course_id = course_id or os.environ.get("CANVAS_COURSE_ID", "")
    if not url or not course_id:
        raise ValueError("give the Canvas instance and course: --url and --course-id (or CANVAS_URL, CANVAS_COURSE_ID)")
    return url, course_id


def publish(base_url: str, course_id: str, token: str, posts: list[Post], *,
            session: requests.Session | None = None, on_done: Callable[[Outcome], None] = lambda o: None,
            sleep: Callable[[float], None] | None = None) -> list[Outcome]:
    requests = extras.need("requests", "autograder publish canvas")
    session = session or requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    extra = {"sleep": sleep} if sleep else {}
    outcomes = []
    for post in posts:
        if not post.user:
            outcome = Outcome(post, False, "no Canvas id, SIS id or login is known for this student (add a roster)")
        else:
            url = (f"{base_url.rstrip('/')}/api/v1/courses/{quote(course_id, safe='')}/assignments/"
                   f"{quote(post.assignment_id, safe='')}/submissions/{quote(post.user, safe=':')}")
            data = {"submission[posted_grade]": f"{post.grade:g}", "comment[text_comment]": post.comment}
            try:
                response = http.request(session, "PUT", url, data=data, **extra)
            except requests.RequestException as exc:
                outcome = Outcome(post, False, f"could not reach Canvas: {exc}")
            else:
                outcome = Outcome(post, response.ok, "" if response.ok else
                                  f"Canvas answered {response.status_code}: {response.text[:200]}")
        outcomes.append(outcome)
        on_done(outcome)
    return outcomes
