"""The wire format between the trusted parent and the sandboxed child.

A frame is a 4-byte big-endian length, a JSON header of that many bytes, then the
binary blobs whose lengths the header lists under "blobs". Values travel as JSON
with tagged objects for what JSON cannot hold:

    {"__ndarray__": i}             blob i is a .npy file (plain ndarray only)
    {"__npscalar__": i}            blob i is a 0-d .npy file; decoded as a numpy scalar
    {"__tuple__": [...]}           a tuple
    {"__dict__": [[key, value]...]} a dict whose keys are not all strings
    {"__opaque__": "type", "repr": "..."}  anything else, described, never rebuilt

Decoding never unpickles: .npy blobs are read with allow_pickle=False, and the header
and blob sizes are capped before anything is read. This module is loaded by the
child as a plain file, so it imports nothing but the standard library and numpy.
"""
from __future__ import annotations

import io
import json
import math
import os
import re
import struct
from dataclasses import dataclass
from typing import Any, BinaryIO

import numpy as np

MAX_HEADER_BYTES = 1 << 20
MAX_FRAME_BYTES = 256 << 20
MAX_DEPTH = 20
MAX_ITEMS = 100_000
REPR_CHARS = 200
TEXT_CHARS = 4000
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


class WireError(Exception):
    """A frame broke the protocol: too large, malformed, or of a forbidden kind."""


@dataclass(frozen=True)
class Opaque:
    """A value the child could not send as data: only its type name and a short repr."""

    type_name: str
    repr: str

    def __str__(self) -> str:
        return f"<{self.type_name} object>"


def clean_text(text: str, limit: int = TEXT_CHARS) -> str:
    """A child's text made safe to show anywhere: valid UTF-8, no control characters
    (NUL, ANSI escapes, carriage returns), at most `limit` characters."""
    text = text[:limit * 4].encode("utf-8", "replace").decode("utf-8")
    text = _CONTROL.sub("\N{REPLACEMENT CHARACTER}", text)
    return text if len(text) <= limit else text[:limit] + " [...]"


def clean_tree(value: Any) -> Any:
    """clean_text on every string of a JSON value (an error record from the child)."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [clean_tree(v) for v in value[:MAX_ITEMS]]
    if isinstance(value, dict):
        return {clean_text(str(k), REPR_CHARS): clean_tree(v) for k, v in list(value.items())[:MAX_ITEMS]}
    return value


def _npy_bytes(array: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, array, allow_pickle=False)
    return buf.getvalue()


def _npy_load(data: bytes) -> np.ndarray:
    try:
        return np.load(io.BytesIO(data), allow_pickle=False)
    except Exception as exc:  # malformed or object-dtype payload
        raise WireError(f"bad array payload: {exc}") from None


def _short_repr(value: Any) -> str:
    try:
        text = repr(value)
    except BaseException:  # noqa: BLE001 - a hostile __repr__ must not break encoding
        text = "<unprintable>"
    return text[:REPR_CHARS]


def _type_name(value: Any) -> str:
    cls = type(value)
    module = getattr(cls, "__module__", "") or ""
    name = getattr(cls, "__qualname__", cls.__name__)
    return name if module == "builtins" else f"{module}.{name}"


def encode(value: Any) -> tuple[Any, list[bytes]]:
    """Turns a value into a JSON-able tree and the list of blobs it refers to."""
    blobs: list[bytes] = []
    count = 0

    def enc(v: Any, depth: int) -> Any:
        nonlocal count
        count += 1
        if depth > MAX_DEPTH or count > MAX_ITEMS:
            return {"__opaque__": "too-deep-or-too-large", "repr": ""}
        cls = type(v)
        if v is None or cls in (bool, int, str):
            return v
        if cls is float:
            return v if math.isfinite(v) else {"__float__": repr(v)}
        if cls is np.ndarray:
            if v.dtype.hasobject or v.dtype.kind not in "biufcSU":
                return {"__opaque__": f"numpy.ndarray[{v.dtype}]", "repr": _short_repr(v)}
            blobs.append(_npy_bytes(v))
            return {"__ndarray__": len(blobs) - 1}
        if isinstance(v, np.generic) and cls.__module__ == "numpy" and v.dtype.kind in "biufc":
            blobs.append(_npy_bytes(np.asarray(v)))
            return {"__npscalar__": len(blobs) - 1}
        if cls is tuple:
            return {"__tuple__": [enc(x, depth + 1) for x in v]}
        if cls is list:
            return [enc(x, depth + 1) for x in v]
        if cls is dict:
            if all(type(k) is str for k in v):
                return {"__str_dict__": {k: enc(x, depth + 1) for k, x in v.items()}}
            return {"__dict__": [[enc(k, depth + 1), enc(x, depth + 1)] for k, x in v.items()]}
        return {"__opaque__": _type_name(v), "repr": _short_repr(v)}

    return enc(value, 0), blobs


def decode(tree: Any, blobs: list[bytes]) -> Any:
    """Rebuilds a value from encode()'s output; arrays come back as plain ndarrays."""

    def dec(t: Any) -> Any:
        if type(t) is str:
            return clean_text(t)
        if t is None or type(t) in (bool, int, float):
            return t
        if type(t) is list:
            return [dec(x) for x in t]
        if type(t) is not dict or len(t) not in (1, 2):
            raise WireError("malformed value")
        if "__ndarray__" in t:
            return _npy_load(blobs[_index(t["__ndarray__"], blobs)])
        if "__npscalar__" in t:
            array = _npy_load(blobs[_index(t["__npscalar__"], blobs)])
            if array.ndim != 0:
                raise WireError("scalar payload is not 0-d")
            return array[()]
        if "__float__" in t:
            return float(t["__float__"])
        if "__tuple__" in t:
            return tuple(dec(x) for x in _as_list(t["__tuple__"]))
        if "__str_dict__" in t:
            return {clean_text(str(k)): dec(x) for k, x in t["__str_dict__"].items()}
        if "__dict__" in t:
            return {_hashable(dec(k)): dec(x) for k, x in _as_list(t["__dict__"])}
        if "__opaque__" in t:
            return Opaque(clean_text(str(t["__opaque__"]), REPR_CHARS), clean_text(str(t.get("repr", "")), REPR_CHARS))
        raise WireError("unknown tag")

    return dec(tree)


def _index(i: Any, blobs: list[bytes]) -> int:
    if type(i) is not int or not 0 <= i < len(blobs):
        raise WireError("blob index out of range")
    return i


def _as_list(x: Any) -> list:
    if type(x) is not list:
        raise WireError("malformed value")
    return x


def _hashable(key: Any) -> Any:
    try:
        hash(key)
    except TypeError:
        raise WireError("unhashable dict key") from None
    return key


def pack(message: dict, blobs: list[bytes] = ()) -> bytes:
    """One frame: header length, JSON header (with blob lengths), blobs."""
    header = dict(message, blobs=[len(b) for b in blobs])
    raw = json.dumps(header, allow_nan=True).encode()
    return struct.pack(">I", len(raw)) + raw + b"".join(blobs)


def write_frame(fd: int, message: dict, blobs: list[bytes] = ()) -> None:
    data = memoryview(pack(message, blobs))
    while data:
        written = os.write(fd, data)
        data = data[written:]


def read_exact(stream: BinaryIO, n: int) -> bytes:
    """Reads exactly n bytes; a pipe may hand them over in several pieces."""
    chunks, remaining = [], n
    while remaining:
        chunk = stream.read(remaining)
        if not chunk:
            raise EOFError("the other side closed the channel")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def read_frame(stream: BinaryIO, max_bytes: int = MAX_FRAME_BYTES) -> tuple[dict, list[bytes]]:
    """Reads one frame, refusing any header or blob total beyond the caps."""
    (size,) = struct.unpack(">I", read_exact(stream, 4))
    if size > MAX_HEADER_BYTES:
        raise WireError(f"header of {size} bytes exceeds the cap")
    try:
        header = json.loads(read_exact(stream, size))
    except (ValueError, UnicodeDecodeError):
        raise WireError("header is not JSON") from None
    sizes = header.get("blobs") if type(header) is dict else None
    if type(sizes) is not list or not all(type(s) is int and s >= 0 for s in sizes):
        raise WireError("header lists no valid blob sizes")
    if sum(sizes) > max_bytes:
        raise WireError(f"frame of {sum(sizes)} bytes exceeds the cap of {max_bytes}")
    return header, [read_exact(stream, s) for s in sizes]
