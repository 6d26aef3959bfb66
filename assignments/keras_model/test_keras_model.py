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
    info = student.probe("model_summary", "keras_model", "build_model", timeout=120.0,
                         build=["keras_model", "build_model"])
    layers = [(layer["class"], layer["units"], layer["activation"]) for layer in info.get("layers", [])
              if layer["class"] != "InputLayer"]
    expected = [("Flatten", None, None), ("Dense", 64, "relu"), ("Dense", 10, "softmax")]
    if [(c, u if c == "Dense" else None, a if c == "Dense" else None) for c, u, a in layers] != expected:
        raise CheckFailure(f"build_model() has layers {layers}; expected {expected}.")
    if not info.get("compiled"):
        raise CheckFailure("build_model() must return a compiled model.")


def test_predict_classes_of_a_fixed_model(student):
    """predict_classes gives one integer label per sample: the most probable class"""
    weights = [np.eye(64, 10, dtype=np.float32), np.zeros(10, np.float32),
               np.eye(10, dtype=np.float32), np.zeros(10, np.float32)]
    X = np.zeros((3, 8, 8), dtype=np.float32)
    X[0, 0, 2], X[1, 0, 7], X[2, 0, 0] = 1.0, 1.0, 1.0  # pixel k lights up class k
    labels = student.probe("call_on_model", "keras_model", "predict_classes", timeout=120.0,
                           of=["keras_model", "predict_classes"], activations=["relu", "softmax"],
                           weights=weights, X=X)["value"]
    expect_array(labels, np.array([2, 7, 0]), name="predict_classes(model, X)", rtol=0, atol=0)
