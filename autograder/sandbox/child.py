"""The sandboxed side: imports the student's modules and serves calls from the parent.

Run as a plain script (``python -I child.py [PACKAGE_FOLDER...]``) with the submission's
working directory as cwd, requests on stdin and replies on stdout (a fork server's children are handed
their pipes by number instead). It never sees the reference solutions or the
hidden tests: it gets inputs, calls the student's function, and sends back what the
function returned, encoded by wire.py. Nothing here is trusted by the parent.
"""
import importlib
import importlib.util
import os
import sys
import threading
import time
import traceback
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))


def _load_private(name: str, filename: str):
    """Loads a sibling file under a private name, so student modules cannot shadow it."""
    spec = importlib.util.spec_from_file_location(name, os.path.join(HERE, filename))
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


if __name__ == "__main__" and sys.argv[1:]:  # before wire.py imports numpy
    import site

    sys.path[:0] = sys.argv[1:]  # package folders of the grader's environment (winjob.child_command), first
    for folder in sys.argv[1:]:
        site.addsitedir(folder)  # and their .pth files
wire = _load_private("_autograder_wire", "wire.py")

MAX_MESSAGE_CHARS = 2000
MAX_WARNINGS = 10
CPU_EXCEEDED = 124  # the exit status that tells the parent a request used up its CPU time (worker.py)
CPU_POLL_SECONDS = 0.1


class CpuWatch:
    """Ends the child once a request has used the CPU time it was allowed.

    CPU time, not the wall clock: a busy machine stretches how long a call takes, not how
    much computing it does, so the same code meets the same limit however loaded the
    machine is. time.process_time() counts every thread of the process on every system;
    a thread of its own checks it, so a loop that never returns is stopped, whatever it is
    doing. (Code that holds the GIL inside one C call, or that waits, meets the parent's
    wall-clock backstop instead.)"""

    def __init__(self) -> None:
        self._until: float | None = None
        self._changed = threading.Condition()
        threading.Thread(target=self._watch, name="autograder-cpu-watch", daemon=True).start()

    def allow(self, seconds) -> None:
        """From now until `done`, at most `seconds` more CPU time (no limit unless a positive number)."""
        valid = type(seconds) in (int, float) and 0 < seconds < float("inf")
        with self._changed:
            self._until = time.process_time() + seconds if valid else None
            self._changed.notify()

    def done(self) -> None:
        with self._changed:
            self._until = None

    def _watch(self) -> None:
        with self._changed:
            while True:
                if self._until is None:
                    self._changed.wait()
                    continue
                left = self._until - time.process_time()
                if left <= 0:
                    os._exit(CPU_EXCEEDED)
                self._changed.wait(min(left, CPU_POLL_SECONDS))


def _describe_exception(exc: BaseException, workdir: str) -> dict:
    """Type, message and the student's own frames only (file name and line)."""
    every = traceback.extract_tb(exc.__traceback__)
    own = [f for f in every if os.path.isabs(f.filename) and f.filename.startswith(workdir + os.sep)]
    frames = [{"file": os.path.relpath(f.filename, workdir), "line": f.lineno, "function": f.name,
               "code": wire.clean_text(f.line or "", 200)} for f in own]
    if isinstance(exc, SyntaxError) and exc.filename:
        frames.append({"file": os.path.relpath(exc.filename, workdir), "line": exc.lineno or 0,
                       "function": "<module>", "code": wire.clean_text((exc.text or "").strip(), 200)})
    try:
        message = exc.msg if isinstance(exc, SyntaxError) else str(exc)
    except BaseException:  # noqa: BLE001 - a hostile __str__
        message = "<unprintable message>"
    return {"type": type(exc).__name__, "message": wire.clean_text(message, MAX_MESSAGE_CHARS), "frames": frames[-5:],
            "raised_by_student": bool(every) and every[-1] in own}


class Session:
    """Holds the imported student modules for the life of this child."""

    def __init__(self, workdir: str) -> None:
        self.workdir = workdir
        self.modules: dict = {}

    def module(self, name: str):
        """Imports the student's module once; errors are reported, not raised upward."""
        if name in self.modules:
            return self.modules[name]
        if not os.path.exists(os.path.join(self.workdir, name + ".py")):
            raise _Failure({"kind": "missing_module", "module": name})
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                module = importlib.import_module(name)
        except BaseException as exc:  # noqa: BLE001 - SystemExit at import is the student's bug
            raise _Failure({"kind": "import_error", "module": name,
                            **_describe_exception(exc, self.workdir)}) from None
        self.modules[name] = module
        return module

    def function(self, module_name: str, function_name: str):
        module = self.module(module_name)
        func = getattr(module, function_name, None)
        if func is None or not callable(func):
            raise _Failure({"kind": "missing_function", "module": module_name,
                            "function": function_name,
                            "found": None if func is None else wire._type_name(func)})
        return func

    def call(self, func, args: tuple, kwargs: dict):
        """Calls student code with numpy's floating-point warnings switched on and recorded."""
        import numpy as np

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with np.errstate(over="warn", invalid="warn", divide="warn"):
                try:
                    value = func(*args, **kwargs)
                except BaseException as exc:  # noqa: BLE001 - any escape is reported as an error
                    raise _Failure({"kind": "exception", "function": getattr(func, "__name__", "?"),
                                    **_describe_exception(exc, self.workdir)}) from None
        notes = [f"{w.category.__name__}: {wire.clean_text(str(w.message), 200)}" for w in caught[:MAX_WARNINGS]]
        return value, notes


class _Failure(Exception):
    def __init__(self, error: dict) -> None:
        super().__init__(error.get("kind"))
        self.error = error


def handle(session: Session, request: dict, blobs: list) -> tuple:
    op = request.get("op")
    if op == "import":
        session.module(request["module"])
        return {"ok": True}, []
    if op == "call":
        func = session.function(request["module"], request["function"])
        args, kwargs = wire.decode(request["args"], blobs), wire.decode(request["kwargs"], blobs)
        start = time.perf_counter()
        value, notes = session.call(func, tuple(args), dict(kwargs))
        seconds = time.perf_counter() - start
        out = {"value": value}
        if request.get("return_args"):
            out["args_after"], out["kwargs_after"] = tuple(args), dict(kwargs)
        tree, out_blobs = wire.encode(out)
        return {"ok": True, "result": tree, "warnings": notes, "seconds": seconds}, out_blobs
    if op == "probe":
        probes = sys.modules.get("_autograder_probes") or _load_private("_autograder_probes", "probes.py")
        if type(request.get("source")) is str:  # the course's own probes, sent once per child
            probes.course_source = request["source"]
        params = wire.decode(request["params"], blobs)
        start = time.perf_counter()
        try:
            value = probes.run(request["name"], session, params)
        except _Failure:
            raise
        except probes.CourseProbesError as exc:
            raise _Failure({"kind": "course_probes", "type": "the course's probe file",
                            "message": wire.clean_text(str(exc), 300)}) from None
        except BaseException as exc:  # noqa: BLE001 - the probe's own code failed on what it was given
            raise _Failure({"kind": "probe_error", "type": type(exc).__name__, "message": wire.clean_text(str(exc), 300)}) from None
        tree, out_blobs = wire.encode(value)
        return {"ok": True, "result": tree, "seconds": time.perf_counter() - start}, out_blobs
    return {"ok": False, "error": {"kind": "bad_request", "message": f"unknown op {op!r}"}}, []


def serve(request_fd: int, response_fd: int) -> None:
    workdir = os.path.realpath(os.getcwd())
    sys.path.insert(0, workdir)
    session = Session(workdir)
    requests = os.fdopen(request_fd, "rb", buffering=0)
    server = os.getpid()
    watch = CpuWatch()
    while True:
        try:
            request, blobs = wire.read_frame(requests)
        except EOFError:
            return
        watch.allow(request.get("cpu_seconds"))
        try:
            response, out_blobs = handle(session, request, blobs)
        except _Failure as failure:
            response, out_blobs = {"ok": False, "error": failure.error}, []
        except BaseException as exc:  # noqa: BLE001 - keep serving after anything
            response = {"ok": False, "error": {"kind": "exception", **_describe_exception(exc, workdir)}}
            out_blobs = []
        if os.getpid() != server:  # a process the student forked got back here: only the server answers
            os._exit(0)
        watch.done()
        wire.write_frame(response_fd, response, out_blobs)


def take_stdio() -> tuple[int, int]:
    """Keeps stdin and stdout for requests and replies, on private descriptors that no process
    the student starts inherits; what the student prints goes to stderr, reads see nothing."""
    requests, replies = os.dup(0), os.dup(1)
    if sys.platform == "win32":  # no newline translation on the wire
        import msvcrt

        for fd in (requests, replies):
            msvcrt.setmode(fd, os.O_BINARY)
    nothing = os.open(os.devnull, os.O_RDONLY)
    os.dup2(nothing, 0)
    os.close(nothing)
    os.dup2(2, 1)
    return requests, replies


if __name__ == "__main__":
    serve(*take_stdio())
