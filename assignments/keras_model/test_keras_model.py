"""Public tests for the Keras model: run them with `autograder check` in this folder."""
import numpy as np

from autograder.checks import CheckFailure, expect_array


def test_preprocess(student):
    """preprocess maps 0..16 to float32 in [0, 1]"""
    images = np.array([[[0, 8], [16, 4]]])
    expect_array(student.keras_model.preprocess(images, timeout=120.0),
                 np.array([[[0.0, 0.5], [1.0, 0.25]]], dtype=np.float32),
                 name="preprocess", dtype="float32")


def test_model_layers(student):
    """build_model() has Flatten, Dense(64, relu), Dense(10, softmax)"""
    info = student.probe("keras_architecture", "keras_model", "build_model", timeout=120.0, kwargs={})
    layers = [(layer["class"], layer["units"], layer["activation"]) for layer in info.get("layers", [])
              if layer["class"] != "InputLayer"]
    expected = [("Flatten", None, None), ("Dense", 64, "relu"), ("Dense", 10, "softmax")]
    if [(c, u if c == "Dense" else None, a if c == "Dense" else None) for c, u, a in layers] != expected:
        raise CheckFailure(f"build_model() has layers {layers}; expected {expected}.")
    if not info.get("compiled"):
        raise CheckFailure("build_model() must return a compiled model.")
