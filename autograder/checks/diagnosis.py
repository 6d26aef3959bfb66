"""Names the most likely cause of a wrong result from the shape of the error.

Given what came back (g) and what was expected (e), test the signatures that
common mistakes leave: all zeros, a flipped sign, a constant factor (named when the
grader knows what that factor means, e.g. N = "averaged twice"), a transpose.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Callable, Sequence

import numpy as np

if TYPE_CHECKING:
    from autograder.checks.gradcheck import TensorCheck

FIT_TOLERANCE = 1e-6


def best_scale(g: np.ndarray, e: np.ndarray) -> tuple[float, float]:
    """alpha minimising |g - alpha e|, and the relative size of what is left."""
    ee = float(np.sum(e * e))
    if ee == 0.0:
        return float("nan"), float("inf")
    alpha = float(np.sum(g * e)) / ee
    residual = np.linalg.norm(g - alpha * e) / max(np.linalg.norm(g), np.linalg.norm(e), 1e-300)
    return alpha, float(residual)


def kind_of(cause: str) -> str:
    """A cause with its numbers left out: the same mistake met on other inputs ("divided by N = 4",
    "... N = 5") or in another layer (b1, b2) counts as one."""
    return re.sub(r"\d+(\.\d+)?(e[-+]?\d+)?", "#", cause)


def diagnose(g: np.ndarray, e: np.ndarray, hints: dict) -> str:
    """A plain-words cause for g != e, or "" when no known signature fits.

    hints maps a factor (a number) to what that factor means for this check, and a
    cause (a sentence) to the value a student who made that mistake would return.
    """
    if not np.all(np.isfinite(g)):
        return ""
    for text, alternative in hints.items():
        if not isinstance(text, str):
            continue
        alternative = np.asarray(alternative, dtype=np.float64)
        if alternative.shape == g.shape and np.allclose(g, alternative, rtol=1e-6, atol=1e-9):
            return text
    if not np.any(g) and np.any(e):
        return "the result is all zeros: is a term, or the whole computation, missing?"
    if g.ndim == 2 and g.shape[0] == g.shape[1] and g.shape[0] > 1 and np.allclose(g, e.T, rtol=1e-6, atol=1e-9):
        return "the result is the transpose of the expected one."
    alpha, residual = best_scale(g, e)
    # One number always fits some scale, and so do copies of one number (errors [3, 3, 0] against
    # [1, 1, 0] is no evidence of a factor 1/3): there, name only the factors the grader knows.
    if g.size < 2 or np.unique(np.abs(e[e != 0])).size < 2:
        return next((f"the result is {_factor(alpha)} times the expected one: {meaning}" for factor, meaning in
                     hints.items() if isinstance(factor, (int, float)) and np.isclose(alpha, factor, rtol=1e-6)), "")
    if residual < FIT_TOLERANCE and np.isfinite(alpha):
        if np.isclose(alpha, -1.0, rtol=1e-6):
            return "the sign is flipped (the result is exactly -1 times the expected one)."
        for factor, meaning in hints.items():
            if isinstance(factor, (int, float)) and np.isclose(alpha, factor, rtol=1e-6):
                return f"the result is {_factor(alpha)} times the expected one: {meaning}"
        if not np.isclose(alpha, 1.0, rtol=1e-6):
            return f"the result is off by a constant factor of {_factor(alpha)}."
    return ""


def nonzero_start(train: Callable[..., Any], X: np.ndarray, y: np.ndarray) -> str:
    """For a training function that must start from zero weights (a linear unit's, say) and
    returns (w, b, one record per epoch): trained for zero epochs, what it returns is where it
    started - provided it honours `epochs`, which its empty record shows. (A run with eta = 0
    would rely on the learning rate, which the very code under suspicion may ignore.) Only a
    diagnosis, asked after a test has failed: whatever the student's code does wrong here is
    ignored."""
    try:
        out = train(X.copy(), y.copy(), epochs=0)
        w, b, record = out[:3]
        if (type(w) is np.ndarray and w.shape == (X.shape[1],) and len(record) == 0
                and (np.any(w != 0) or float(b) != 0)):
            return "the weights do not start from zero: start from w = zeros(n_features) and b = 0."
    except Exception:  # noqa: BLE001 - the test has already failed for its own reason
        pass
    return ""


def agreeing(mistakes: dict[str, tuple], got: tuple, rtol: float = 1e-6, atol: float = 1e-9) -> dict[str, tuple]:
    """The known mistakes (cause -> every output a call with that mistake returns) that explain
    every output that came back: a mistake that one output points to while another rules it
    out is no cause, so hints built from these are consistent with the whole call."""
    if type(got) not in (tuple, list):
        return {}
    return {cause: outputs for cause, outputs in mistakes.items()
            if len(outputs) == len(got) and all(_same(g, e, rtol, atol) for g, e in zip(got, outputs))}


def _same(got: Any, expected: Any, rtol: float, atol: float) -> bool:
    """Close as numbers, shape included; anything that is not numbers is not the same."""
    try:
        got, expected = np.asarray(got, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return got.shape == expected.shape and bool(np.allclose(got, expected, rtol=rtol, atol=atol))


def either(causes: Sequence[str]) -> str:
    """One cause, or all that fit the evidence equally well: never one of them picked as if it
    were the only one."""
    causes = list(causes)
    if len(causes) <= 1:
        return causes[0] if causes else ""
    return f"{len(causes)} known mistakes fit everything that came back: " + " Or: ".join(
        f"({i}) {cause}" for i, cause in enumerate(causes, 1))


def what_is_right(parts: dict[str, tuple[Any, Any]], position: str = "index", first: int = 0,
                  rtol: float = 1e-9, atol: float = 1e-12) -> str:
    """What is known when no cause fits: which outputs of a call are right (within the check's
    own tolerance) and where the first wrong one starts to differ ("w and b are right; only
    errors differs, from epoch 3."; positions are counted from `first`). `parts` maps each
    output's name to (what came back, what was expected)."""
    right = [name for name, (got, expected) in parts.items() if _same(got, expected, rtol, atol)]
    wrong = [name for name in parts if name not in right]
    if not right or not wrong:
        return ""
    where = ""
    if len(wrong) == 1:
        got, expected = parts[wrong[0]]
        try:
            got, expected = np.asarray(got, dtype=np.float64).ravel(), np.asarray(expected, dtype=np.float64).ravel()
            if got.shape == expected.shape:
                where = f", from {position} {first + int(np.flatnonzero(~np.isclose(got, expected, rtol, atol))[0])}"
        except (TypeError, ValueError, IndexError):
            pass
    verb = "is" if len(right) == 1 else "are"
    return (f"{listed(right)} {verb} right; only {listed(wrong)} "
            f"{'differs' if len(wrong) == 1 else 'differ'}{where}.")


def listed(names: Sequence[str]) -> str:
    """"a", "a and b", "a, b and c"."""
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _factor(alpha: float) -> str:
    if abs(alpha) < 1 and alpha != 0 and np.isclose(1 / alpha, round(1 / alpha), rtol=1e-6):
        return f"1/{round(1 / alpha)}"
    return f"{alpha:.6g}"


# -- what the three gradient checks (checks/gradcheck.py) say together, in words -----------

def lesson(gradient: str, loss_name: str, loss_ok: bool, own: TensorCheck, how_wrong: str = "") -> str:
    """What a wrong gradient means, given whether the student's loss is right (`how_wrong` says by
    how much it is not) and whether the gradient agrees with numerical derivatives of that loss
    (`own`, the third of the three checks)."""
    detail = f" ({how_wrong})" if how_wrong else ""
    if loss_ok and not own.passed:
        return (f"Your {loss_name} is right, but {gradient} disagrees with numerical derivatives of it (relative "
                f"error {own.error:.2g} along a random direction): the bug is in {gradient}, not in the {loss_name}.")
    if not loss_ok and own.passed:
        return (f"Your gradient is consistent with your own {loss_name}, but the {loss_name} is wrong{detail}: fix "
                f"the {loss_name}, and the gradient will follow.")
    if not loss_ok:
        return (f"Both your {loss_name}{detail} and {gradient} are wrong, and they disagree with each other: fix the "
                f"{loss_name} first, then check the gradient against numerical derivatives of your own {loss_name}.")
    return ""


def three_ways(gradient: str, loss_name: str, loss_ok: bool, correct: TensorCheck, own: TensorCheck, *,
               how_wrong: str = "", own_name: str = "", word: str = "gradient", evaluations: int = 0) -> list[str]:
    """The feedback on a wrong gradient that the reference comparison has already found: what the
    other two checks (the correct loss's and the student's own) say together, then their figures."""
    agreement = "agrees" if own.passed else f"relative error {own.error:.2g}"
    count = f"; {evaluations} {loss_name} evaluations" if evaluations else ""
    figures = (f"Checked against the correct {word}, a numerical {word} of the correct {loss_name} (relative error "
               f"{correct.error:.2g}) and a numerical {word} of your own {own_name or loss_name} ({agreement}{count}).")
    return [lesson(gradient, loss_name, loss_ok, own, how_wrong), figures]
