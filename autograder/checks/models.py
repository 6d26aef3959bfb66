"""Checks on a Keras model as the engine's `model_summary` probe describes it (plain data:
layers, settings, compile settings), shared by every course's Keras graders."""
from __future__ import annotations

from typing import Any

import numpy as np

from autograder.checks.values import CheckFailure

ACCURACY_METRICS = ("accuracy", "acc", "sparse_categorical_accuracy")


def expect_compiled(info: dict[str, Any], *, built_by: str, learning_rate: float, labels: str, output: str,
                    rate_text: str = "", optimizer: str = "Adam",
                    loss: str = "sparse_categorical_crossentropy") -> None:
    """The model is compiled, with `optimizer` at `learning_rate` (`rate_text`: how to write it),
    the `loss` (from_logits=True is named a mistake above an `output` activation, which already
    gives probabilities) and an accuracy metric. `built_by` names the student's function;
    `labels` says what the labels are, for a one-hot loss."""
    if not info.get("compiled"):
        raise CheckFailure(f"{built_by} returned a model that is not compiled: call model.compile(...) before "
                           "returning it.")
    compiled_with = info["optimizer"]
    if compiled_with["class"] != optimizer:
        raise CheckFailure(f"The model is compiled with the {compiled_with['class']} optimizer; expected {optimizer}.")
    rate, expected = compiled_with["learning_rate"], rate_text or f"{learning_rate:g}"
    if rate is None or not np.isclose(rate, learning_rate, rtol=1e-4):
        default = optimizer == "Adam" and rate is not None and np.isclose(rate, 1e-3)
        raise CheckFailure(f"{optimizer}'s learning rate is {'a schedule' if rate is None else f'{rate:.3g}'}; "
                           f"expected {expected}.",
                           diagnosis="0.001 is Adam's default (and what optimizer=\"adam\" uses): build the "
                                     f"optimizer as keras.optimizers.Adam(learning_rate={expected})." if default else "")
    if info["loss"] != loss:
        cause = (f"categorical_crossentropy expects one-hot labels; {labels}, which is what {loss} takes."
                 if info["loss"] == "categorical_crossentropy" and loss == "sparse_categorical_crossentropy" else "")
        raise CheckFailure(f"The loss is {info['loss']!r}; expected {loss!r}.", diagnosis=cause)
    if info.get("from_logits"):
        probabilities = bool(info["layers"]) and info["layers"][-1].get("activation") == output
        raise CheckFailure("The loss is built with from_logits=True" + (
            f", but the model's output is already {output} probabilities: use from_logits=False (the default)."
            if probabilities else f"; expected a {output} output layer and from_logits=False (the default)."))
    if not any(m in ACCURACY_METRICS for m in info["metrics"]):
        raise CheckFailure(f"The metrics are {info['metrics']}; expected [\"accuracy\"].")
