"""Grader code that must run beside the student's code, inside the sandbox.

Some checks cannot be a single call with array arguments: a gradient check moves
the student's inputs many times, and a Keras check needs a live model. Probes build
those objects here, call the student's functions through the session (so errors and
warnings are reported as for any call), and return plain data. They hold no expected
answers: the parent computes those and compares.

The probes below serve any course. A course adds its own in the file its manifest
names (`probes = "graders/probes.py"`): plain functions `name(session, **params)`,
sent to the child as source and loaded there under a private name, with this module
importable as `autograder_probes` for its helpers (`keras()`, `describe_model`).
A student's code can read that source, so it must hold no answers either.
"""
import os
import types

import numpy as np

COURSE_MODULE = "_autograder_course_probes"
course_source = None  # the course's probe file as the parent sent it; loaded when first needed


class CourseProbesError(Exception):
    """The course's probe file could not be loaded: the course's fault, not the student's."""


def _course_probes():
    """The course's probe file, run once as a module of its own (None when the course has none)."""
    import sys

    if COURSE_MODULE in sys.modules or course_source is None:
        return sys.modules.get(COURSE_MODULE)
    sys.modules.setdefault("autograder_probes", sys.modules[__name__])
    module = types.ModuleType(COURSE_MODULE)
    module.__file__ = "<course probes>"
    try:
        exec(compile(course_source, "<course probes>", "exec"), module.__dict__)
    except BaseException as exc:  # noqa: BLE001 - whatever it raised, the file is broken
        raise CourseProbesError(f"{type(exc).__name__}: {exc}") from None
    sys.modules[COURSE_MODULE] = module
    return module


def run(name: str, session, params: dict):
    """Runs a probe of the engine, or else one of the course's probe file."""
    if name in PROBES:
        return PROBES[name](session, **params)
    course = _course_probes()
    probe = getattr(course, name, None) if course is not None and not name.startswith("_") else None
    if not callable(probe):
        raise LookupError(f"no probe named {name!r} (the course's probe file defines none by that name)")
    return probe(session, **params)


def losses_at(session, of, args, kwargs, where, points, pick=None):
    """The student's function at theta moved by each point, for the parent's gradient check.

    `of` is [module, function]. `where[key]` says where tensor `key` sits in the call:
    [position, None] for a positional argument (an array or a plain number, which stays
    a plain number), [position, name] for an entry of a dict argument (the MLP's
    params). `pick` selects one item of a returned tuple (the loss of a function returning (loss, grads)).
    Values come back as returned; the parent validates and reduces them.
    """
    func = session.function(*of)
    values = []
    for point in points:
        call_args = [_copy(a) for a in args]
        position, name = where[point["key"]]
        container, slot = (call_args, position) if name is None else (call_args[position], name)
        current = container[slot]
        delta = np.zeros(np.shape(current))
        if point["direction"] is not None:
            delta = point["step"] * np.asarray(point["direction"], dtype=np.float64).reshape(delta.shape)
        else:
            delta.reshape(-1)[point["index"]] = point["step"]
        moved = np.asarray(current, dtype=np.float64) + delta
        container[slot] = moved if isinstance(current, np.ndarray) else float(moved)
        value, _ = session.call(func, tuple(call_args), dict(kwargs))
        if pick is not None and type(value) in (tuple, list) and len(value) > pick:
            value = value[pick]
        values.append(value)
    return {"values": values}


def _copy(value):
    """A fresh copy of an array (or of each array in a dict), so no call sees another's changes."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    return value


def forward_backward(session, forward, backward, args, kwargs, dout):
    """A layer's forward pass on the caller's inputs, then its backward pass on dout and the
    forward's own cache, which stays here: whatever the student keeps in it need not cross the
    wall. `forward` and `backward` are [module, function]."""
    value, _ = session.call(session.function(*forward), tuple(args), dict(kwargs))
    if type(value) not in (tuple, list) or len(value) != 2:
        shape = f"a {type(value).__name__} of length {len(value)}" if type(value) in (tuple, list) else \
            f"a {type(value).__name__}"
        return {"forward_returned": shape}
    out, cache = value
    grads, _ = session.call(session.function(*backward), (np.array(dout, copy=True), cache), {})
    return {"out": out, "grads": grads, "forward_returned": None}


def keras():
    """Keras, imported quietly (only probes of Keras exercises need it)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras

    return keras


def describe_model(model) -> dict:
    """The architecture and compile settings as plain data (no weights, no objects)."""
    info = {"type": f"{type(model).__module__}.{type(model).__qualname__}"}
    layers = getattr(model, "layers", None)
    if layers is None:
        return info
    info["layers"] = []
    for layer in layers:
        config = layer.get_config() if hasattr(layer, "get_config") else {}
        entry = {
            "class": type(layer).__name__,
            "units": config.get("units"),
            "activation": _activation_name(layer, config.get("activation")),
            "params": int(layer.count_params()),
        }
        for key in LAYER_SETTINGS:  # what a convolutional, pooling or dropout layer is set to
            if key in config and isinstance(config[key], (int, float, str, list, tuple, type(None))):
                entry[key] = list(config[key]) if isinstance(config[key], tuple) else config[key]
        try:
            entry["output_shape"] = [d for d in layer.output.shape[1:]]
        except Exception:  # noqa: BLE001 - a layer not yet called on an input
            entry["output_shape"] = None
        info["layers"].append(entry)
    try:
        info["input_shape"] = [d for d in model.input_shape[1:]]
    except Exception:  # noqa: BLE001 - a model with no defined input
        info["input_shape"] = None
    info["params"] = int(model.count_params())
    info["compiled"] = bool(getattr(model, "compiled", False))
    if info["compiled"]:
        optimizer = getattr(model, "optimizer", None)
        try:
            learning_rate = float(optimizer.learning_rate)
        except Exception:  # noqa: BLE001 - a schedule or a missing optimizer
            learning_rate = None
        info["optimizer"] = {"class": type(optimizer).__name__, "learning_rate": learning_rate}
        config = model.get_compile_config() or {}
        loss = config.get("loss")
        info["loss"] = _name_of(loss)
        loss_config = loss.get("config") if isinstance(loss, dict) else None
        info["from_logits"] = bool(isinstance(loss_config, dict) and loss_config.get("from_logits"))
        metrics = config.get("metrics") or []
        info["metrics"] = [_name_of(m) for m in (metrics if isinstance(metrics, list) else [metrics])]
    return info


# Plain settings of common layers, sent with each layer's description (Keras config names).
LAYER_SETTINGS = ("filters", "kernel_size", "strides", "padding", "pool_size", "rate")

_ACTIVATIONS = {
    "linear": lambda z: z,
    "relu": lambda z: np.maximum(z, 0.0),
    "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
    "tanh": np.tanh,
    "softmax": lambda z: np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True),
}


def _activation_name(layer, configured) -> str:
    """The activation's name, known by what it computes when its configured name is not a standard one
    (tf.nn.softmax is configured as "softmax_v2", a lambda as a function)."""
    if configured is None or (isinstance(configured, str) and configured in _ACTIVATIONS):
        return configured
    function = getattr(layer, "activation", None)
    if callable(function):
        z = np.array([[-2.0, -0.5, 0.0, 0.5, 3.0]], dtype=np.float32)
        try:
            out = np.asarray(function(z), dtype=np.float64)
        except Exception:  # noqa: BLE001 - an activation that does not take arrays: keep its configured name
            out = None
        for name, reference in _ACTIVATIONS.items():
            if out is not None and out.shape == z.shape and np.allclose(out, reference(z.astype(np.float64)),
                                                                        atol=1e-5):
                return name
    return configured if isinstance(configured, str) else _name_of(configured)


def _name_of(obj) -> str:
    if isinstance(obj, str) or obj is None:
        return obj
    if isinstance(obj, dict):  # a serialized Keras object
        config = obj.get("config")
        # a loss passed as a function serializes as {"class_name": "function", "config": "<its name>"}
        name = config.get("name") if isinstance(config, dict) else config if isinstance(config, str) else None
        return name or obj.get("class_name") or str(obj)
    return getattr(obj, "__name__", None) or type(obj).__name__


def model_summary(session, build, args=(), kwargs=None, seed=0):
    """The architecture and compile settings of the model that the student's `build` function
    ([module, function]) returns for these arguments, as plain data."""
    keras().utils.set_random_seed(seed)
    model, _ = session.call(session.function(*build), tuple(args), dict(kwargs or {}))
    return describe_model(model)


def train_and_predict(session, X_train, y_train, X_test, build, seed=0, preprocess=None, train=None,
                      train_kwargs=None, predict=None):
    """Preprocesses, builds, trains and predicts with the student's own functions, each step
    named by the caller as [module, function], with Keras seeded. Without `train` the model is
    fitted with `model.fit(X, y, **train_kwargs)`; without `predict`, labels are the argmax of
    `model.predict`."""
    keras().utils.set_random_seed(seed)
    if preprocess:
        step = session.function(*preprocess)
        X_train, _ = session.call(step, (X_train,), {})
        X_test, _ = session.call(step, (X_test,), {})
    model, _ = session.call(session.function(*build), (), {})
    fit = session.function(*train) if train else getattr(model, "fit")
    history, _ = session.call(fit, (model, X_train, y_train) if train else (X_train, y_train), dict(train_kwargs or {}))
    if predict:
        predictions, _ = session.call(session.function(*predict), (model, X_test), {})
    else:
        predictions = np.argmax(model.predict(X_test, verbose=0), axis=-1)
    curves = getattr(history, "history", None)
    settings = getattr(history, "params", None)  # what fit ran with: epochs, steps per epoch (so the batch size)
    return {
        "predictions": predictions,
        "history": {str(k): [float(v) for v in vals] for k, vals in curves.items()} if isinstance(curves, dict) else None,
        "history_type": type(history).__name__,
        "fit": {str(k)[:40]: v for k, v in list(settings.items())[:20] if type(v) in (int, float, bool)}
        if isinstance(settings, dict) else None,
    }


def call_on_model(session, of, weights, X, activations):
    """Builds a fixed dense model (Flatten, then one Dense layer per weight pair with the given
    activations) holding the caller's weights, and calls the student's function ([module,
    function]) with it and X: how a function that takes a model is tested on a known one."""
    k = keras()
    layers = [k.Input(shape=X.shape[1:]), k.layers.Flatten()]
    for i, activation in zip(range(0, len(weights), 2), activations):
        layers.append(k.layers.Dense(weights[i].shape[1], activation=activation))
    model = k.Sequential(layers)
    model.set_weights(weights)
    value, _ = session.call(session.function(*of), (model, X), {})
    return {"value": value}


PROBES = {
    "losses_at": losses_at,
    "forward_backward": forward_backward,
    "model_summary": model_summary,
    "train_and_predict": train_and_predict,
    "call_on_model": call_on_model,
}
