"""Posting scores through LTI 1.3 Assignment and Grade Services (AGS).

The tool asks the platform's token endpoint for an access token with the OAuth 2
client-credentials grant, authenticating with a JWT it signs with its private key
(RS256; the IMS Security Framework's `client_assertion`), for the AGS score scope.
Then it POSTs one score per student to the line item's `/scores` endpoint, as
`application/vnd.ims.lis.v1.score+json`. The private key comes from LTI_PRIVATE_KEY or
LTI_PRIVATE_KEY_FILE (secrets.py); students are named by their LTI user id (the
platform's `sub`), which the roster supplies.
"""
from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Callable
from urllib.parse import urlsplit, urlunsplit

from autograder import extras
from autograder.publish import http
from autograder.render.lms import comment, members
from autograder.results.model import Identity, SubmissionResult

if TYPE_CHECKING:  # imported where scores are posted: requests and PyJWT come with autograder[lms]
    import requests

SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
SCORE_MEDIA_TYPE = "application/vnd.ims.lis.v1.score+json"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


class LtiError(Exception):
    pass


@dataclass
class Score:
    submission: str
    student: Identity
    given: float
    maximum: float
    comment: str


def client_assertion(client_id: str, token_url: str, private_key: str, key_id: str = "",
                     audience: str = "") -> str:
    jwt = extras.need("jwt", "autograder publish lti")
    extras.need("cryptography", "autograder publish lti", "for RS256 signatures")
    now = int(time.time())
    claims = {"iss": client_id, "sub": client_id, "aud": audience or token_url, "iat": now, "exp": now + 300,
              "jti": uuid.uuid4().hex}
    return jwt.encode(claims, private_key, algorithm="RS256", headers={"kid": key_id} if key_id else None)


def access_token(session: requests.Session, token_url: str, client_id: str, private_key: str, key_id: str = "",
                 audience: str = "") -> str:
    jwt = extras.need("jwt", "autograder publish lti")
    try:
        assertion = client_assertion(client_id, token_url, private_key, key_id, audience)
    except (ValueError, TypeError, jwt.PyJWTError) as exc:
        raise LtiError(f"cannot sign with the private key: {exc}") from None
    response = http.request(session, "POST", token_url, data={
        "grant_type": "client_credentials", "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": assertion, "scope": SCORE_SCOPE})
    if not response.ok:
        raise LtiError(f"the platform refused the token request ({response.status_code}): {response.text[:300]}")
    body = response.json()
    if SCORE_SCOPE not in str(body.get("scope", SCORE_SCOPE)).split():
        raise LtiError("the platform did not grant the score scope")
    return body["access_token"]


def scores_url(lineitem: str) -> str:
    """`.../lineitems/7?type=x` -> `.../lineitems/7/scores?type=x` (AGS: the scores endpoint hangs off the item)."""
    parts = urlsplit(lineitem)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/scores"))


def plan(results: list[SubmissionResult], assignments: list[str]) -> tuple[list[Score], list[str]]:
    """The scores to post, and the students that cannot be posted (no LTI user id)."""
    scores, missing = [], []
    for result in results:
        present = [a for a in assignments if a in result.assignments]
        if not present:
            continue
        given, maximum = result.points(present)
        for who in members(result):
            if who.lti_user_id:
                scores.append(Score(result.submission, who, given, maximum, comment(result, present)))
            else:
                missing.append(who.name or who.id)
    return scores, missing


def publish_all(lineitem: str, token_url: str, client_id: str, private_key: str, scores: list[Score], *,
                key_id: str = "", audience: str = "") -> list[tuple[Score, bool, str]]:
    """Gets an access token and posts every score, over one HTTP session."""
    session = extras.need("requests", "autograder publish lti").Session()
    token = access_token(session, token_url, client_id, private_key, key_id, audience)
    return publish(lineitem, token, scores, session=session)


def publish(lineitem: str, token: str, scores: list[Score], *, session: requests.Session | None = None,
            on_done: Callable[[Score, bool, str], None] = lambda s, ok, m: None) -> list[tuple[Score, bool, str]]:
    requests = extras.need("requests", "autograder publish lti")
    session = session or requests.Session()
    url = scores_url(lineitem)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": SCORE_MEDIA_TYPE}
    done = []
    for score in scores:
        body = {"userId": score.student.lti_user_id, "scoreGiven": score.given, "scoreMaximum": score.maximum,
                "comment": score.comment, "timestamp": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
                "activityProgress": "Completed", "gradingProgress": "FullyGraded"}
        try:
            response = http.request(session, "POST", url, json=body, headers=headers)
            ok, message = response.ok, "" if response.ok else f"{response.status_code}: {response.text[:200]}"
        except requests.RequestException as exc:
            ok, message = False, f"could not reach the platform: {exc}"
        done.append((score, ok, message))
        on_done(score, ok, message)
    return done
