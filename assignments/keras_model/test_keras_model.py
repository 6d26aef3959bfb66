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
        raise CheckFailure(f"build_model() has layers {layers}; expected {expected}.", diagnosis=layer_mistake(layers))
    if not info.get("compiled"):
        raise CheckFailure("build_model() returned a model that is not compiled.",
                           diagnosis="model.compile(...) is not called: compile with Adam(1e-3), "
                                     "sparse_categorical_crossentropy and the accuracy metric before returning.")


def layer_mistake(layers):
    """The cause of a wrong layer list, where it differs from the expected one in one known way."""
    classes = [c for c, _, _ in layers]
    dense = [(u, a) for c, u, a in layers if c == "Dense"]
    if "Flatten" not in classes:
        return "there is no Flatten layer: the 8x8 images must be flattened before the first Dense layer."
    if len(dense) == 2 and dense[1] == (10, "relu"):
        return "the output layer uses relu; it must turn scores into probabilities with softmax."
    if len(dense) == 2 and dense[0][0] != 64 and dense[0][1] == "relu":
        return f"the hidden layer has {dense[0][0]} units; build_model() must default to hidden_units=(64,)."
    if len(dense) == 2 and dense[0] == (64, "sigmoid"):
        return "the hidden layer uses sigmoid; the task asks for relu."
    return ""


def test_predict_classes_of_a_fixed_model(student):
    """predict_classes gives one integer label per sample: the most probable class"""
    weights = [np.eye(64, 10, dtype=np.float32), np.zeros(10, np.float32),
               np.eye(10, dtype=np.float32), np.zeros(10, np.float32)]
    X = np.zeros((3, 8, 8), dtype=np.float32)
    X[0, 0, 2], X[1, 0, 7], X[2, 0, 0] = 1.0, 1.0, 1.0  # pixel k lights up class k
    labels = student.probe("call_on_model", "keras_model", "predict_classes", timeout=120.0,
                           of=["keras_model", "predict_classes"], activations=["relu", "softmax"],
                           weights=weights, X=X)["value"]
    if type(labels) is np.ndarray and labels.shape == (3, 10):
        raise CheckFailure("predict_classes(model, X) returned an array of shape (3, 10); expected one label per "
                           "sample, shape (3,).", diagnosis="these are the probabilities: the label is their argmax, "
                                                            "np.argmax(probs, axis=1).")
    expect_array(labels, np.array([2, 7, 0]), name="predict_classes(model, X)", rtol=0, atol=0)
