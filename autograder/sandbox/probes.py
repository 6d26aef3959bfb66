"""Grader code that must run beside the student's code, inside the sandbox.

Some checks cannot be a single call with array arguments: `numerical_gradient`
needs a Python function to differentiate, and the Keras checks need a live model.
These probes build those objects here, call the student's functions through the
session (so errors and warnings are reported as for any call), and return plain
data. They hold no expected answers: the parent computes those and compares.
"""
import os

import numpy as np


def run(name: str, session, params: dict):
    return PROBES[name](session, **params)


def numerical_gradient(session, x, c, h=None):
    """Differentiates f = sum(c * sin(x)) + 0.5 * sum(x**2), which reads x in place."""
    func = session.function("mlp", "numerical_gradient")
    calls = 0

    def f():
        nonlocal calls
        calls += 1
        return float(np.sum(c * np.sin(x)) + 0.5 * np.sum(x ** 2))

    args = (f, x) if h is None else (f, x, h)
    grad, _ = session.call(func, args, {})
    return {"grad": grad, "x_after": x, "calls": calls}


def losses_at(session, of, args, kwargs, where, points, pick=None):
    """The student's function at theta moved by each point, for the parent's gradient check.

    `of` is [module, function]. `where[key]` says where tensor `key` sits in the call:
    [position, None] for a positional argument (an array or a plain number, which stays
    a plain number), [position, name] for an entry of a dict argument (the MLP's
    params). `pick` selects one item of a returned tuple (the loss of loss_and_grads).
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


def _keras():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras

    return keras


def _describe_model(model) -> dict:
    """The architecture and compile settings as plain data (no weights, no objects)."""
    info = {"type": f"{type(model).__module__}.{type(model).__qualname__}"}
    layers = getattr(model, "layers", None)
    if layers is None:
        return info
    info["layers"] = []
    for layer in layers:
        config = layer.get_config() if hasattr(layer, "get_config") else {}
        info["layers"].append({
            "class": type(layer).__name__,
            "units": config.get("units"),
            "activation": _activation_name(layer, config.get("activation")),
            "params": int(layer.count_params()),
        })
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


def keras_architecture(session, kwargs: dict):
    keras = _keras()
    keras.utils.set_random_seed(0)
    model, _ = session.call(session.function("keras_model", "build_model"), (), kwargs)
    return _describe_model(model)


def keras_train(session, X_train, y_train, X_test, epochs, batch_size, seed):
    """Preprocess, build, train and predict with the student's own four functions."""
    keras = _keras()
    keras.utils.set_random_seed(seed)
    preprocess = session.function("keras_model", "preprocess")
    X_train_p, _ = session.call(preprocess, (X_train,), {})
    X_test_p, _ = session.call(preprocess, (X_test,), {})
    model, _ = session.call(session.function("keras_model", "build_model"), (), {})
    history, _ = session.call(session.function("keras_model", "train_model"), (model, X_train_p, y_train),
                              {"epochs": epochs, "batch_size": batch_size})
    predictions, _ = session.call(session.function("keras_model", "predict_classes"), (model, X_test_p), {})
    curves = getattr(history, "history", None)
    return {
        "predictions": predictions,
        "history": {str(k): [float(v) for v in vals] for k, vals in curves.items()} if isinstance(curves, dict) else None,
        "history_type": type(history).__name__,
    }


def keras_predict_classes(session, weights: list, X):
    """Builds a fixed dense model with the parent's weights and asks the student for its labels."""
    keras = _keras()
    layers = [keras.Input(shape=X.shape[1:]), keras.layers.Flatten()]
    for i in range(0, len(weights), 2):
        last = i == len(weights) - 2
        layers.append(keras.layers.Dense(weights[i].shape[1], activation="softmax" if last else "relu"))
    model = keras.Sequential(layers)
    model.set_weights(weights)
    labels, _ = session.call(session.function("keras_model", "predict_classes"), (model, X), {})
    return {"labels": labels}


PROBES = {
    "numerical_gradient": numerical_gradient,
    "losses_at": losses_at,
    "keras_architecture": keras_architecture,
    "keras_train": keras_train,
    "keras_predict_classes": keras_predict_classes,
}
