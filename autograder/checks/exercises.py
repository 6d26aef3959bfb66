"""The authoring API: one call per kind of exercise, on top of the checks of values.py.

- `check_function`: an ordinary numpy function against the reference, case by case:
  exact types, shapes and dtypes, values within a measured tolerance, the inputs left
  unchanged, and no floating-point warning.
- `check_layer`: a layer's `forward(*inputs) -> (out, cache)` and `backward(dout, cache)`
  pair: the gradients against the reference's, and where one is wrong, the three-way
  check (the correct loss's numerical gradient, the student's own forward's) that says
  whether the bug is in the backward pass or the forward pass.
- `check_loss_and_grads`: a function returning `(loss, grads)` for a dict of
  parameters, with the same three-way check per tensor, naming the tensors (and so the
  layers) that are wrong and those that are right.
- `check_derivative`: an elementwise derivative `df` of a function `f`, checked against
  the reference and, where wrong, against numerical derivatives of the student's own `f`.

Student functions are the `student` fixture's proxies (`student.conv.conv_forward`):
every call crosses the sandbox, and every value that comes back is validated here
before it is compared. References are plain functions of the reference module.
"""
from __future__ import annotations

import copy
import inspect
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Mapping, Sequence

import numpy as np

from autograder.checks import figures
from autograder.checks.diagnosis import three_ways
from autograder.checks.gradcheck import check_gradients, local_evaluator
from autograder.checks.tolerance import Tolerance, from_runs, leaves, low_precision_runs, measured
from autograder.checks.values import (CheckFailure, as_array, as_number, describe, describe_type, expect_array,
                                      expect_no_warnings, expect_tuple, expect_unchanged, expect_value, how_far,
                                      tolerance_for)
from autograder.sandbox.errors import StudentException, broadcast_shapes

Hints = Mapping[Any, Any] | Callable[..., Mapping[Any, Any]] | None


@dataclass
class Case:
    """One input of a check: positional and keyword arguments, and how the feedback names it.

    Without a label the arguments are described by `describe` (values when tiny, else
    shapes); give one for hidden inputs that must not be shown."""

    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    label: str = ""

    def __init__(self, *args: Any, label: str = "", **kwargs: Any) -> None:
        self.args, self.kwargs, self.label = args, kwargs, label

    def copied(self) -> tuple[list, dict]:
        """Fresh copies of the arguments: no call sees what another did to them."""
        return copy.deepcopy(list(self.args)), copy.deepcopy(dict(self.kwargs))

    def describe(self, names: Sequence[str]) -> str:
        if self.label:
            return self.label
        return ", ".join(describe_argument(n, v) for n, v in [*zip(names, self.args), *self.kwargs.items()])


def describe_argument(name: str, value: Any) -> str:
    """One line per argument: a number or a short vector by value, anything larger by shape, a dict by its
    entries (the parameters of a network: "params with W1 of shape (3, 2), b1 of shape (2,)")."""
    if isinstance(value, dict):
        inner = ", ".join(describe_argument(str(k), v) for k, v in value.items())
        return f"{name} with {inner}" if inner else f"{name} = {{}}"
    if isinstance(value, np.ndarray) and value.ndim > 1:
        return f"{name} of shape {value.shape}"
    if isinstance(value, (np.ndarray, np.generic, float, int)):
        return describe(name, value)
    text = repr(value)
    return f"{name} = {text}" if len(text) <= 40 else f"{name} (a {type(value).__name__})"


def random_cases(rng: np.random.Generator, shapes: Sequence[Any], draw: Callable[..., Any] | None = None
                 ) -> list[Case]:
    """One Case per entry of `shapes`: draw(rng, shape) gives its arguments (a tuple for several;
    by default one standard-normal array of that shape)."""
    out = []
    for shape in shapes:
        made = draw(rng, shape) if draw else rng.standard_normal(shape)
        out.append(Case(*(made if isinstance(made, tuple) else (made,))))
    return out


def parameter_names(function: Callable[..., Any]) -> list[str]:
    try:
        return [p.name for p in inspect.signature(function).parameters.values()
                if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        return []


def _hints_for(hints: Hints, case: Case) -> dict:
    if hints is None:
        return {}
    if callable(hints):
        args, kwargs = case.copied()
        with np.errstate(all="ignore"):
            return dict(hints(*args, **kwargs))
    return dict(hints)


def _label(student_fn: Any, names: Sequence[str]) -> str:
    return f"{getattr(student_fn, 'name', getattr(student_fn, '__name__', 'the function'))}({', '.join(names)})"


def compare(got: Any, expected: Any, *, name: str, inputs: str = "", tolerance: Any = None,
            hints: dict | None = None, returns: Sequence[str | None] | None = None, dtype: str | None = None) -> Any:
    """Compares a result of any shape the references return: a number, an array, a tuple (each part
    named by `returns`; a part named None, a cache say, is not compared) or a dict (each key the
    reference returns must be there; more keys are allowed). `tolerance` is a Tolerance, or for a
    tuple a list of them (one per part) and for a dict a dict of them; `hints` of a tuple's or a
    dict's part are `{part name or index or key: {cause: value}}`."""
    if isinstance(expected, tuple):
        parts = list(returns) if returns is not None else [f"{name}[{i}]" for i in range(len(expected))]
        got = expect_tuple(got, len(expected), name=name, parts=", ".join(p or "..." for p in parts))
        for i, (part, g, e) in enumerate(zip(parts, got, expected)):
            if part is not None:
                compare(g, e, name=part, inputs=inputs, tolerance=_part(tolerance, i),
                        hints=_part_hints(hints, part, i), dtype=dtype)
        return got
    if isinstance(expected, dict):
        if type(got) is not dict:
            raise CheckFailure(f"{name} is not a dict (got {type(got).__name__}); expected keys {sorted(expected)}.")
        missing = sorted(set(expected) - set(got), key=str)
        if missing:
            raise CheckFailure(f"{name} lacks the key(s) {', '.join(map(repr, missing))}{_for(inputs)}.")
        for key, e in expected.items():
            compare(got[key], e, name=f"{name}[{key!r}]", inputs=inputs, tolerance=_part(tolerance, key),
                    hints=_part_hints(hints, key))
        return got
    tol = (tolerance if isinstance(tolerance, Tolerance) else Tolerance()).kwargs()
    hints = {k: v for k, v in (hints or {}).items() if v is not None}  # a hint that does not apply here
    if isinstance(expected, (np.ndarray, np.generic, int, float)) and not isinstance(expected, bool):
        return expect_value(got, expected, name=name, inputs=inputs, hints=hints or {}, **tol,
                            **({"dtype": dtype} if dtype and np.ndim(expected) else {}))
    if got != expected:
        raise CheckFailure(f"{name} is {got!r}{_for(inputs)}; expected {expected!r}.")
    return got


def _part(tolerance: Any, index: Any) -> Any:
    """A part's tolerance from a per-part list or dict (one Tolerance serves every part)."""
    if isinstance(tolerance, (list, tuple)):
        return tolerance[index]
    if isinstance(tolerance, dict):
        return tolerance.get(index)
    return tolerance


def _for(inputs: str) -> str:
    return f" for {inputs}" if inputs else ""


def _part_hints(hints: dict | None, *keys: Any) -> dict:
    """Hints of a tuple's or dict's part: {part: {cause: value}} in the hints (by its name, or its
    index), else none."""
    for key in keys:
        nested = (hints or {}).get(key)
        if isinstance(nested, Mapping):
            return dict(nested)
    return {}


def _mistakes(hints: dict) -> list[Any]:
    """The values of known mistakes among hints (texts mapped to values; factors are not values)."""
    out = []
    for key, value in hints.items():
        if isinstance(value, Mapping):
            out.extend(_mistakes(dict(value)))
        elif isinstance(key, str):
            out.append(value)
    return out


def check_function(student_fn: Any, reference_fn: Callable[..., Any], cases: Sequence[Case], *,
                   hints: Hints = None, returns: Sequence[str | None] | None = None, pure: bool = True,
                   stable: bool = True, tolerance: Tolerance | dict | None = None, dtype: str | None = None,
                   name: str | None = None, stability_hint: str = "") -> list[Any]:
    """Checks student_fn against reference_fn on every case, in order, and returns the validated results.

    For each case: the student's function runs in the sandbox on copies of the arguments;
    its result must have the reference's structure, types and shapes (`dtype` pins one),
    and values within the tolerance measured for this case (`tolerance` overrides it:
    a Tolerance or {"rtol": ..., "atol": ...}). With `pure`, the arguments must be as they
    were after the call; with `stable`, numpy must not have warned of an overflow, invalid
    value or division by zero (`stability_hint` is then the stated cause). `hints` map a
    known mistake to the value it would give ({cause: value}, or a function of the case's
    arguments returning that; for a tuple or dict result, {part: {cause: value}}).
    """
    names = parameter_names(reference_fn)
    label = name or _label(student_fn, names[:len(cases[0].args)] if cases else names)
    results = []
    for case in cases:
        args, kwargs = case.copied()
        call = student_fn.call(*args, **kwargs)
        inputs = case.describe(names)
        ref_args, ref_kwargs = case.copied()
        expected = reference_fn(*ref_args, **ref_kwargs)
        case_hints = _hints_for(hints, case)
        tol = _tolerance(tolerance, reference_fn, case, expected, case_hints, returns)
        value = compare(call.value, expected, name=label, inputs=inputs, tolerance=tol, hints=case_hints,
                        returns=returns, dtype=dtype)
        if stable:
            expect_no_warnings(call.warnings, name=label, inputs=inputs, diagnosis=stability_hint)
        if pure:
            expect_unchanged(list(case.args), list(call.args_after), name=label.split("(")[0],
                             arg_names=names[:len(case.args)] or [f"#{i}" for i in range(len(case.args))])
        results.append(value)
    return results


def check_pure(student_fn: Any, cases: Sequence[Case], *, names: Sequence[str] | None = None) -> None:
    """Only purity: on every case, the arguments (positional and keyword) are as they were after the
    call (values not checked, so that an in-place update costs this test's points alone)."""
    for case in cases:
        args, kwargs = case.copied()
        call = student_fn.call(*args, **kwargs)
        arg_names = list(names) if names else [f"#{i + 1}" for i in range(len(case.args))]
        keys = list(case.kwargs)
        expect_unchanged([*case.args, *(case.kwargs[k] for k in keys)],
                         [*call.args_after, *(call.kwargs_after.get(k) for k in keys)],
                         name=getattr(student_fn, "name", "the function"), arg_names=[*arg_names, *keys])


def _tolerance(given: Tolerance | dict | None, reference_fn: Callable[..., Any], case: Case, expected: Any,
               hints: dict, returns: Sequence[str | None] | None = None) -> Any:
    """The tolerance of one case: the author's, or measured per compared part of the result, each
    part kept below its own known mistakes (a layer's cache neither sets nor loosens it)."""
    return _given(given) or _measured_tree(expected, low_precision_runs(reference_fn, case.args, case.kwargs), hints,
                                           returns)


def _given(tolerance: Tolerance | dict | None) -> Tolerance | None:
    """The author's tolerance, as a Tolerance (None: measure it)."""
    return Tolerance(**tolerance) if isinstance(tolerance, dict) else tolerance


def _measured_tree(expected: Any, runs: list[Any], hints: dict, returns: Sequence[str | None] | None = None) -> Any:
    if isinstance(expected, tuple):
        names = list(returns) if returns is not None else list(range(len(expected)))
        parts = []
        for i, e in enumerate(expected):
            same = [r[i] for r in runs if isinstance(r, (tuple, list)) and len(r) == len(expected)]
            parts.append(_measured_tree(e, same, _part_hints(hints, names[i], i)))
        return parts
    if isinstance(expected, dict):
        return {k: _measured_tree(e, [r[k] for r in runs if isinstance(r, dict) and k in r], _part_hints(hints, k))
                for k, e in expected.items()}
    return from_runs(expected, runs, mistakes=_mistakes(hints))


# -- gradients ---------------------------------------------------------------------------

def agrees(got: np.ndarray, expected: Any, tolerance: Tolerance) -> bool:
    """Whether a validated array matches, by the rule the value checks use (a float32 result at
    float32 precision): what the three-way wording relies on before it calls a part right or wrong."""
    got = np.asarray(got)
    rtol, atol = tolerance_for(got.dtype, np.asarray(expected), tolerance.rtol, tolerance.atol)
    return bool(np.allclose(got.astype(np.float64), np.asarray(expected, dtype=np.float64), rtol=rtol, atol=atol))


def check_layer(forward: Any, backward: Any, reference_forward: Callable[..., Any],
                reference_backward: Callable[..., Any], case: Case, *, wrt: Sequence[str] | None = None,
                seed: int = 0, hints: Callable[..., Mapping[str, Mapping[str, Any]]] | None = None,
                tolerance: Tolerance | dict | None = None, step: float = 1e-5) -> dict[str, np.ndarray]:
    """Checks a layer's backward pass: `forward(*args) -> (out, cache)`, `backward(dout, cache) ->
    gradients` of sum(dout * out) with respect to the inputs named by `wrt` (by default every
    array argument, in order), one array each, or a single array when there is one.

    The student's forward and backward both run in the sandbox, in one probe, so the cache
    never leaves it. dout is drawn from the seed. Each gradient is compared with the
    reference's; a wrong one is then checked against numerical derivatives of the correct
    forward pass and of the student's own (random directions), and the feedback says which
    of the two passes holds the bug. `hints(dout, *args, **kwargs)` returns {input name: {cause:
    the gradient that mistake gives}}. Returns the validated gradients by input name.
    """
    names = parameter_names(reference_forward)
    args, kwargs = case.copied()
    wrt = list(wrt) if wrt is not None else [n for n, a in zip(names, args) if isinstance(a, np.ndarray)]
    positions = {n: names.index(n) for n in wrt}
    ref_out, ref_cache = reference_forward(*copy.deepcopy(args), **copy.deepcopy(kwargs))
    dout = np.random.default_rng([seed, 7]).standard_normal(np.shape(ref_out))
    ref_grads = reference_backward(dout.copy(), ref_cache)
    ref_grads = dict(zip(wrt, ref_grads if len(wrt) > 1 else (ref_grads,)))

    if not callable(getattr(forward, "probe", None)):
        raise TypeError("check_layer needs the student fixture's functions (student.<module>.<function>)")
    fname, bname = forward.name, backward.name
    reply = forward.probe("forward_backward", f"{fname} and {bname}", forward=[forward.module, fname],
                          backward=[backward.module, bname], args=args, kwargs=kwargs, dout=dout)
    inputs = case.describe(names)
    if reply.get("forward_returned") is not None:
        raise CheckFailure(f"{fname} returned {reply['forward_returned']}{_for(inputs)}; expected a tuple "
                           f"(out, cache).")
    out = as_array(reply.get("out"), name=f"the out of {fname}", shape=np.shape(ref_out), inputs=inputs)
    got = reply.get("grads")
    label = f"{bname}(dout, cache)"
    parts = got if len(wrt) > 1 else (got,)
    if len(wrt) > 1:
        parts = expect_tuple(got, len(wrt), name=label, parts=", ".join(f"d{n}" for n in wrt))
    grads = {n: as_array(g, name=f"d{n}", shape=np.shape(args[positions[n]]), inputs=inputs)
             for n, g in zip(wrt, parts)}
    def reference_pass(*a: Any, **k: Any) -> tuple:
        """The reference's out and gradients on these inputs (and this dout), as one tuple."""
        out, cache = reference_forward(*a, **k)
        values = reference_backward(dout.copy(), cache)
        return (out, *(tuple(values) if len(wrt) > 1 else (values,)))

    # One set of low-precision runs measures the forward's out and every gradient alike.
    runs = [r for r in low_precision_runs(reference_pass, case.args, case.kwargs) if len(r) == len(wrt) + 1]
    forward_ok = agrees(out, ref_out, from_runs(ref_out, [r[0] for r in runs]))
    case_hints = dict(hints(dout.copy(), *copy.deepcopy(args), **copy.deepcopy(kwargs)) if hints else {})
    for i, n in enumerate(wrt):
        key_hints = dict(case_hints.get(n, {}))
        tol = _given(tolerance) or from_runs(ref_grads[n], [r[i + 1] for r in runs], mistakes=_mistakes(key_hints))
        try:
            expect_array(grads[n], ref_grads[n], name=f"d{n}", inputs=inputs, hints=key_hints, **tol.kwargs())
        except CheckFailure as failure:
            failure.explain(*_three_ways_layer(forward, reference_forward, args, kwargs, positions, n, grads[n], dout,
                                           forward_ok, float(np.max(np.abs(out - ref_out))), seed, step))
            raise
    return grads


def _three_ways_layer(forward: Any, reference_forward: Callable[..., Any], args: list, kwargs: dict,
                      positions: dict[str, int], key: str, grad: np.ndarray, dout: np.ndarray, forward_ok: bool,
                      worst: float, seed: int, step: float) -> list[str]:
    at = {key: np.asarray(args[positions[key]], dtype=np.float64)}

    def correct_loss(p: dict) -> float:
        moved = copy.deepcopy(args)
        moved[positions[key]] = p[key]
        return float(np.sum(dout * reference_forward(*moved, **kwargs)[0]))

    shape = np.shape(dout)
    own = forward.evaluator(args, kwargs, where={key: (positions[key], None)}, pick=0,
                            reduce=lambda v: float(np.sum(dout * as_array(v, name=f"the out of {forward.name}",
                                                                          shape=shape))))
    grads = {key: np.asarray(grad, dtype=np.float64)}
    correct = check_gradients(local_evaluator(correct_loss, at), at, grads, seed=seed, step=step, localize=False)
    mine = check_gradients(own, at, grads, seed=seed, step=step, noise_aware=True, localize=False)
    return three_ways(f"d{key}", "forward pass", forward_ok, correct[key], mine[key],
                      how_wrong=f"its out is off by up to {worst:.3g}", word="gradient")


def check_loss_and_grads(student_fn: Any, reference_fn: Callable[..., Any], case: Case, *, params: int = 0,
                         loss: int = 0, grads: int = 1, seed: int = 0, hints: Mapping[str, Mapping[str, Any]]
                         | None = None, step: float = 1e-5) -> dict[str, np.ndarray]:
    """Checks a function returning (loss, grads) where grads has one array per entry of the dict
    argument at position `params` (the network's parameters): the loss within a measured
    tolerance, then each gradient against the reference's. Where a gradient is wrong, the
    feedback names every wrong tensor and every right one (so which layer is wrong) and says,
    from numerical derivatives of the correct loss and of the student's own, whether the
    loss or the gradient holds the bug. `hints` are {tensor: {cause: gradient}}."""
    names = parameter_names(reference_fn)
    inputs = case.describe(names)
    label = _label(student_fn, names[:len(case.args)])
    args, kwargs = case.copied()
    got = student_fn(*args, **kwargs)
    ref_args, ref_kwargs = case.copied()
    expected = reference_fn(*ref_args, **ref_kwargs)
    size = max(loss, grads) + 1
    got = expect_tuple(got, len(expected) if isinstance(expected, tuple) else size, name=label)
    theta = case.args[params]
    ref_loss, ref_grads = expected[loss], expected[grads]
    loss_value = as_number(got[loss], name=f"the loss of {label}", inputs=inputs)
    runs = [r for r in low_precision_runs(reference_fn, case.args, case.kwargs)  # one set serves loss and gradients
            if isinstance(r, (tuple, list)) and len(r) == len(expected)]
    loss_tol = from_runs(ref_loss, [r[loss] for r in runs])
    loss_ok = bool(np.isclose(loss_value, ref_loss, **loss_tol.kwargs()))
    student_grads = got[grads]
    if type(student_grads) is not dict or set(student_grads) != set(ref_grads):
        keys = sorted(student_grads) if type(student_grads) is dict else type(student_grads).__name__
        raise CheckFailure(f"the gradients of {label} are {keys}{_for(inputs)}; expected a dict with the keys "
                           f"{sorted(ref_grads)}, one per parameter.")
    checked = {k: as_array(student_grads[k], name=f"d{k}", shape=np.shape(ref_grads[k]), inputs=inputs)
               for k in ref_grads}
    tol = from_runs(ref_grads, [r[grads] for r in runs])
    wrong = [k for k in ref_grads if not agrees(checked[k], ref_grads[k], tol)]
    if not loss_ok and not wrong:
        expect_value(loss_value, ref_loss, name=f"the loss of {label}", inputs=inputs, **loss_tol.kwargs())
    for key in wrong:
        try:
            expect_array(checked[key], ref_grads[key], name=f"d{key}", inputs=inputs,
                         hints=dict((hints or {}).get(key, {})), **tol.kwargs())
        except CheckFailure as failure:
            right = [f"d{k}" for k in ref_grads if k not in wrong]
            others = [f"d{k}" for k in wrong if k != key]
            failure.add(f"Wrong: d{key}{''.join(', ' + o for o in others)}; right: {', '.join(right) or 'none'}.")
            at = {k: np.asarray(v, dtype=np.float64) for k, v in theta.items()}
            grads_of = {k: checked[k].astype(np.float64) for k in wrong}

            def correct_loss(p: dict) -> float:
                moved = copy.deepcopy(list(case.args))
                moved[params] = p
                return float(reference_fn(*moved, **copy.deepcopy(case.kwargs))[loss])

            own = student_fn.evaluator(list(case.args), case.kwargs, where={k: (params, k) for k in theta}, pick=loss)
            correct = check_gradients(local_evaluator(correct_loss, at), at, grads_of, keys=wrong, seed=seed,
                                      step=step, localize=False)
            mine = check_gradients(own, at, grads_of, keys=wrong, seed=seed, step=step, noise_aware=True,
                                   localize=False)
            failure.explain(*three_ways(f"d{key}", "loss", loss_ok, correct[key], mine[key],
                                    how_wrong=how_far(loss_value, ref_loss) if not loss_ok else ""))
            raise
    if not loss_ok:
        expect_value(loss_value, ref_loss, name=f"the loss of {label}", inputs=inputs, **loss_tol.kwargs())
    return checked


def check_derivative(f: Any, df: Any, reference_f: Callable[..., Any], reference_df: Callable[..., Any],
                     cases: Sequence[Case], *, seed: int = 0, hints: Hints = None, step: float = 1e-4) -> None:
    """Checks an elementwise derivative df of f (both the student's) on every case. Where df is
    wrong, numerical derivatives of the student's own f (random directions of sum(c * f(z)), with
    c drawn from the seed) and of the correct f say whether df fits the student's f (which is then
    the thing to fix) or fits neither."""
    names = parameter_names(reference_df)
    label = _label(df, names[:1])
    for case in cases:
        try:
            check_function(df, reference_df, [case], hints=hints, name=label)
        except CheckFailure as failure:
            if not failure.summary.startswith(f"{label} has wrong") and not failure.summary.startswith(
                    f"{label} is wrong"):
                raise
            z = np.asarray(case.args[0], dtype=np.float64)
            got = np.asarray(df(*case.copied()[0]), dtype=np.float64)
            c = np.random.default_rng([seed, 99]).uniform(0.5, 1.5, size=z.shape)
            grads = {"z": c * got}
            own = f(*case.copied()[0])
            own_values = np.asarray(own) if type(own) is np.ndarray or leaves(own) and np.ndim(own) == 0 else None
            expected_values = reference_f(*case.copied()[0])
            f_ok = own_values is not None and own_values.shape == np.shape(expected_values) and agrees(
                own_values, expected_values, measured(reference_f, case.args, case.kwargs, expected=expected_values))
            rest = list(case.args[1:])
            evaluate = f.evaluator([z, *rest], case.kwargs, where={"z": (0, None)},
                                   reduce=lambda v: float(np.sum(c * as_array(v, name=f"{f.name}(z)", shape=z.shape))))
            mine = check_gradients(evaluate, {"z": z}, grads, seed=seed, step=step, noise_aware=True, localize=False)
            correct = check_gradients(local_evaluator(lambda p: float(np.sum(c * reference_f(p["z"], *rest))),
                                                      {"z": z}), {"z": z}, grads, seed=seed, localize=False)
            worst = float(np.max(np.abs(own_values - expected_values))) if own_values is not None and \
                own_values.shape == np.shape(expected_values) else float("nan")
            failure.explain(*three_ways(df.name, f.name, f_ok, correct["z"], mine["z"], word="derivative",
                                    how_wrong=f"off by up to {worst:.3g}"))
            raise


# -- public checks: the student's own functions against each other, no reference needed --------

def check_own_derivative(f: Any, df: Any, z: np.ndarray, *, seed: int = 0, step: float = 1e-4,
                         hints: Callable[[np.ndarray, np.ndarray], Mapping[str, Any]] | None = None) -> None:
    """An elementwise derivative df against numerical derivatives of the student's own f at z (random
    directions of sum(c * f(z)), noise-aware, so a float32 f passes). Needs no reference, so a public
    test can use it before the deadline: it tells that df and f disagree, not which is wrong.
    `hints(z, f_of_z)` gives {cause: value} of known mistakes, computed from the student's own f."""
    z = np.asarray(z, dtype=np.float64)
    label = f"{getattr(df, 'name', 'df')}(z)"
    got = as_array(df(z.copy()), name=label, shape=z.shape).astype(np.float64)
    c = np.random.default_rng([seed, 99]).uniform(0.5, 1.5, size=z.shape)
    f_name = getattr(f, "name", "f")
    evaluate = f.evaluator([z], where={"z": (0, None)},
                           reduce=lambda v: float(np.sum(c * as_array(v, name=f"{f_name}(z)", shape=z.shape))))
    check = check_gradients(evaluate, {"z": z}, {"z": c * got}, seed=seed, step=step, noise_aware=True,
                            localize=False)
    if check.passed:
        return
    own = as_array(f(z.copy()), name=f"{f_name}(z)", shape=z.shape).astype(np.float64)
    cause = next((text for text, value in (hints(z, own) if hints else {}).items()
                  if np.shape(value) == got.shape and np.allclose(got, value, rtol=1e-6, atol=1e-9)), "")
    raise CheckFailure(
        f"{label} disagrees with numerical derivatives of your own {f_name} for {describe('z', z)} (relative error "
        f"{check['z'].error:.2g} along a random direction, {check.evaluations} evaluations of {f_name}).",
        diagnosis=cause, known=f"{label} is not the derivative of your {f_name}: one of the two is wrong.")


OWN_RTOL, OWN_ATOL = 1e-3, 1e-6  # a numerical gradient of the student's loss is this accurate (noise-aware steps)


def _own_hint(grad: np.ndarray, numerical: np.ndarray, hints: Mapping[Any, Any]) -> str:
    """The hint that explains a gradient from the numerical one, to the precision the numerical one has:
    a cause whose value (or function of the numerical gradient) it matches, or a factor it is off by."""
    for cause, value in hints.items():
        if isinstance(cause, str):
            value = np.asarray(value(numerical) if callable(value) else value, dtype=np.float64)
            if value.shape == grad.shape and np.allclose(grad, value, rtol=OWN_RTOL, atol=OWN_ATOL):
                return cause
        elif np.allclose(grad, cause * numerical, rtol=OWN_RTOL, atol=OWN_ATOL) and np.any(numerical):
            return str(value)
    return ""


def check_own_gradients(student_fn: Any, case: Case, *, params: int = 0, loss: int = 0, grads: int = 1,
                        seed: int = 0, step: float = 1e-3, hints: Mapping[str, Mapping[Any, Any]] | None = None,
                        where: Callable[[list[str], list[str]], str] | None = None) -> None:
    """A (loss, grads)-style function's gradients against numerical derivatives of its own loss, each
    tensor of the dict argument at position `params` along random directions (noise-aware), then
    element by element for the tensors that disagree. Needs no reference, so a public test can use
    it: the feedback names the tensors that disagree with the student's loss and those that agree
    (which tells the layer to look at), and a pattern between the gradient and the numerical one
    where one fits: `hints` are {tensor: {factor or cause: meaning or value}}, a value being an array
    or a function of the numerical gradient (`lambda numerical: numerical - reg * W`: the gradient
    without its penalty term). Where no hint fits any disagreeing tensor, `where(wrong, right)` may
    name the cause from which tensors disagree ("" where it cannot)."""
    args, kwargs = case.copied()
    theta = case.args[params]
    label = getattr(student_fn, "name", "the function")
    out = student_fn(*args, **kwargs)
    if type(out) not in (tuple, list) or len(out) <= max(loss, grads):
        raise CheckFailure(f"{label} should return a tuple with the loss at position {loss} and the gradients at "
                           f"{grads}; got {describe_type(out)}.")
    got = out[grads]
    if type(got) is not dict or set(got) != set(theta):
        raise CheckFailure(f"{label}'s gradients should be a dict with the keys {sorted(theta)}; got "
                           f"{describe_type(got) if type(got) is not dict else sorted(map(str, got))}.")
    grads_of = {k: as_array(got[k], name=f"grads['{k}']", shape=np.shape(theta[k])).astype(np.float64)
                for k in theta}
    evaluate = student_fn.evaluator(list(case.args), case.kwargs, where={k: (params, k) for k in theta}, pick=loss)
    at = {k: np.asarray(v, dtype=np.float64) for k, v in theta.items()}
    check = check_gradients(evaluate, at, grads_of, seed=seed, step=step, noise_aware=True)
    if check.passed:
        return
    figures.show(figures.gradient_errors(f"{label}'s gradients against numerical derivatives of your loss", check,
                                         list(theta)))
    wrong = [k for k in theta if k in check.failed]
    right = [k for k in theta if k not in wrong]
    known = (f"the gradients of {', '.join(wrong)} do not belong to your loss (those of {', '.join(right) or 'no'} "
             f"tensor{'' if len(right) == 1 else 's'} do): the bug is in the backward pass of those tensors, or in "
             f"the loss itself (the hidden tests tell which).")
    failures = []
    for key in wrong:
        numerical = check[key].numerical
        try:
            expect_array(grads_of[key], numerical, name=f"grads['{key}']",
                         inputs="a numerical gradient of your own loss", rtol=OWN_RTOL, atol=OWN_ATOL)
        except CheckFailure as failure:
            failure.diagnosis = _own_hint(grads_of[key], numerical, (hints or {}).get(key, {})) or failure.diagnosis
            failures.append(failure)
    if failures:  # the first tensor whose pattern is known, else the first that disagrees
        failure = next((f for f in failures if f.diagnosis), failures[0])
        failure.summary = f"{label}'s gradients disagree with numerical derivatives of your own loss: {failure.summary}"
        failure.diagnosis = failure.diagnosis or (where(wrong, right) if where else "")
        failure.explain(known, f"Wrong: {', '.join(wrong)}; right: {', '.join(right) or 'none'} ({check.evaluations} "
                               f"evaluations of your loss).")
        raise failure
    raise CheckFailure(f"{label}'s gradients disagree with numerical derivatives of your own loss along random "
                       f"directions: wrong: {', '.join(wrong)}; right: {', '.join(right) or 'none'}.", known=known,
                       diagnosis=where(wrong, right) if where else "")


@contextmanager
def explained(cause_of: Callable[[str, str], str]) -> Iterator[None]:
    """Gives an exception that the student's code raises inside the block a cause that the grader
    can tell from what it passed in, where the exception's own message shows none: `cause_of(type,
    message)` returns that cause, or "" when the evidence does not support one."""
    try:
        yield
    except StudentException as exc:
        if not exc.cause:
            exc.with_cause(cause_of(str(exc.exception_type or ""), exc.error_message))
        raise


def mixed_widths(widths: Mapping[str, int]) -> Callable[[str, str], str]:
    """For `explained`: a cause for an elementwise operation between an (n, a) and an (n, b) array
    whose widths are those of two different named things (a network's layers: {"layer 1's output":
    5, "layer 2's output": 3}); none where a width belongs to several of them, which would be a guess."""
    def cause(kind: str, message: str) -> str:
        operands = broadcast_shapes(message) if kind == "ValueError" else []
        if [len(shape) for shape in operands] != [2, 2]:
            return ""
        (rows, a), (rows_too, b) = operands
        first, second = ([name for name, width in widths.items() if width == w] for w in (a, b))
        if rows != rows_too or a == b or len(first) != 1 or len(second) != 1:
            return ""
        return (f"an array as wide as {first[0]} ({a} columns) meets one as wide as {second[0]} ({b} columns) "
                f"in an elementwise operation: that step mixes two layers. Check the layer index of each (one "
                f"off by one?).")
    return cause
