"""Correct variants that `validate` derives from the reference itself.

A correct implementation may compute in float32, return Python floats where the
reference returns numpy scalars (or the other way round), multiply matrices with
loops, and so on; each such variant must get full marks, or a student writing that
way would lose points for nothing. A variant is the reference module with a short
epilogue that wraps each graded function, so internal calls between the functions go
through the wrappers too; the loop variant also has every matrix product of the
reference rewritten as Python loops, which add in another order than BLAS does.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass

# Shared by every epilogue: converters that walk tuples, lists and dicts.
_HELPERS = '''

import numpy as _np


def _walk(value, leaf):
    if isinstance(value, tuple):
        return tuple(_walk(v, leaf) for v in value)
    if isinstance(value, list):
        return [_walk(v, leaf) for v in value]
    if isinstance(value, dict):
        return {k: _walk(v, leaf) for k, v in value.items()}
    return leaf(value)


def _float32(value):
    if isinstance(value, _np.ndarray) and value.dtype.kind == "f":
        return value.astype(_np.float32)
    if isinstance(value, float):
        return _np.float32(value)
    return value


def _python(value):
    if isinstance(value, _np.generic) and value.dtype.kind in "biuf":
        return value.item()
    if isinstance(value, _np.ndarray) and value.ndim == 0 and value.dtype.kind in "biuf":
        return value.item()
    return value


def _numpy(value):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    return _np.float64(value) if isinstance(value, float) else _np.int64(value)


class _Numpy32:
    """numpy, but arrays made without a dtype are float32: a float32 student's np.zeros(d)."""

    def __getattr__(self, name):
        return getattr(_np, name)

    def __dir__(self):
        return dir(_np)

    @staticmethod
    def _in32(make):
        def made(*args, dtype=None, **kwargs):
            return make(*args, dtype=_np.float32 if dtype in (None, float) else dtype, **kwargs)
        return made

    def __init__(self):
        for name in ("zeros", "ones", "empty", "full", "eye", "identity"):
            setattr(self, name, self._in32(getattr(_np, name)))


def _loop_matmul(a, b):
    """a @ b as a student's three nested loops compute it: one product at a time, in numpy
    scalars of the arrays' own dtype (float32 stays float32)."""
    a, b = _np.asarray(a), _np.asarray(b)
    if a.ndim == 0 or b.ndim == 0 or a.ndim > 2 or b.ndim > 2 or a.shape[-1] != b.shape[0]:
        return a @ b  # numpy's own error (or a stacked product, which no loop student writes)
    left = a[None, :] if a.ndim == 1 else a
    right = b[:, None] if b.ndim == 1 else b
    kind = _np.result_type(a, b)
    out = _np.zeros((left.shape[0], right.shape[1]), dtype=kind)
    for i in range(left.shape[0]):
        for j in range(right.shape[1]):
            total = kind.type(0)
            for k in range(left.shape[1]):
                total = total + left[i, k] * right[k, j]
            out[i, j] = total
    if a.ndim == 1 and b.ndim == 1:
        return out[0, 0]  # a numpy scalar, as numpy gives
    if a.ndim == 1:
        return out[0]
    return out[:, 0] if b.ndim == 1 else out


def _wrap(function, before, after):
    def wrapped(*args, **kwargs):
        if any(callable(a) for a in (*args, *kwargs.values())):  # a function that calls back: leave it be
            return function(*args, **kwargs)
        return _walk(function(*_walk(args, before), **_walk(kwargs, before)), after)

    wrapped.__name__ = function.__name__
    wrapped.__doc__ = function.__doc__
    return wrapped
'''


@dataclass(frozen=True)
class Derivation:
    id: str
    description: str
    before: str  # the converter applied to the arguments
    after: str  # the converter applied to what comes back
    loops: bool = False  # matrix products as Python loops

    def applies(self, reference: str) -> bool:
        """Whether this derivation changes anything in the reference (a loop variant of a module
        with no matrix product would be the reference again)."""
        return not self.loops or _loop_products(reference) != _loop_products(reference, rewrite=False)


DERIVATIONS = (
    Derivation("float32", "computes in float32: float arguments and the arrays it makes are float32", "_float32",
               "_float32"),
    Derivation("float32-python", "computes in float32 and returns Python numbers (float(np.float32(...)))",
               "_float32", "_python"),
    Derivation("python-scalars", "returns Python numbers instead of numpy scalars", "(lambda v: v)", "_python"),
    Derivation("numpy-scalars", "returns numpy scalars instead of Python numbers", "(lambda v: v)", "_numpy"),
    Derivation("loops", "multiplies matrices with Python loops (a @ b and np.dot, one product at a time)",
               "(lambda v: v)", "(lambda v: v)", loops=True),
)


class _Products(ast.NodeTransformer):
    """a @ b, np.dot(a, b) and a.dot(b) become _loop_matmul(a, b)."""

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.op, ast.MatMult):
            return ast.copy_location(ast.Call(ast.Name("_loop_matmul", ast.Load()), [node.left, node.right], []), node)
        return node

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        func = node.func
        if not (isinstance(func, ast.Attribute) and func.attr == "dot") or node.keywords:
            return node
        on_numpy = isinstance(func.value, ast.Name) and func.value.id in ("np", "numpy")
        operands = node.args if on_numpy else [func.value, *node.args]  # np.dot(a, b) or a.dot(b)
        if len(operands) != 2:
            return node
        return ast.copy_location(ast.Call(ast.Name("_loop_matmul", ast.Load()), operands, []), node)


def _loop_products(reference: str, rewrite: bool = True) -> str:
    tree = ast.parse(reference)
    if rewrite:
        tree = ast.fix_missing_locations(_Products().visit(tree))
    return ast.unparse(tree)


def derive(reference: str, functions: tuple[str, ...], how: Derivation) -> str:
    """The reference module with every graded function wrapped as `how` says (in float32, the
    arrays it makes itself are float32 too, where it imports numpy as np)."""
    source = _loop_products(reference) if how.loops else reference
    lines = [source.rstrip("\n"), _HELPERS]
    if how.before == "_float32" and "import numpy as np" in reference:
        lines.append("np = _Numpy32()")
    for name in functions:
        lines.append(f"{name} = _wrap({name}, {how.before}, {how.after})")
    return "\n".join(lines) + "\n"
