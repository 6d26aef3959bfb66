"""Public tests for cnn: run them with `autograder check` in this folder.

Your model stays in the sandbox: the probes describe it (its layers, their settings and output
shapes, its compile settings) or train it, and send back plain data. The comments say where
each expected value comes from.
"""
import numpy as np

from autograder.checks import CheckFailure, expect_array


def layers_of(info):
    """The layers after Input, with an Activation/ReLU/Softmax layer counted as part of the layer before it."""
    merged = []
    for layer in info.get("layers", []):
        if layer["class"] == "InputLayer":
            continue
        if layer["class"] in ("Activation", "ReLU", "Softmax") and merged and merged[-1]["activation"] in ("linear", None):
            merged[-1] = dict(merged[-1], activation=layer["activation"] or layer["class"].lower(),
                              output_shape=layer["output_shape"])
        else:
            merged.append(layer)
    return merged


def test_layers_and_output_shapes(student):
    """build_cnn() has Conv2D, MaxPooling2D, Flatten, Dense with the right output shapes"""
    info = student.probe("model_summary", "cnn", "build_cnn", build=["cnn", "build_cnn"])
    layers = layers_of(info)
    got = [(layer["class"], layer["output_shape"]) for layer in layers]
    # "same" padding keeps 8x8 with 8 filters; pooling halves it to 4x4; 4 * 4 * 8 = 128 numbers; 10 classes
    expected = [("Conv2D", [8, 8, 8]), ("MaxPooling2D", [4, 4, 8]), ("Flatten", [128]), ("Dense", [10])]
    if got != expected:
        raise CheckFailure(f"build_cnn() has the layers (class, output shape) {got}; expected {expected}.")
    activations = [layers[0]["activation"], layers[3]["activation"]]
    if activations != ["relu", "softmax"]:
        raise CheckFailure(f"Conv2D and the output Dense use the activations {activations}; expected "
                           "['relu', 'softmax'].")
    if not info.get("compiled"):
        raise CheckFailure("build_cnn() must return a compiled model: call model.compile(...).")


def test_parameter_count_with_four_filters(student):
    """build_cnn(filters=4) has 690 parameters"""
    info = student.probe("model_summary", "cnn", "build_cnn", build=["cnn", "build_cnn"], kwargs={"filters": 4})
    # Conv2D: 4 filters of 3 * 3 * 1 weights and a bias each = 40;
    # Dense: (4 * 4 * 4 inputs + a bias) * 10 classes = 650
    if info.get("params") != 690:
        raise CheckFailure(f"build_cnn(filters=4) has {info.get('params')} parameters; expected 40 + 650 = 690.")


def test_predict_classes_of_a_fixed_model(student):
    """predict_classes gives one integer label per image: the most probable class"""
    # a dense model whose class k is pixel k of the first row: Flatten, Dense(10) with identity weights
    weights = [np.eye(64, 10, dtype=np.float32), np.zeros(10, np.float32),
               np.eye(10, dtype=np.float32), np.zeros(10, np.float32)]
    X = np.zeros((3, 8, 8, 1), dtype=np.float32)
    X[0, 0, 5], X[1, 0, 1], X[2, 0, 7] = 1.0, 1.0, 1.0
    labels = student.probe("call_on_model", "cnn", "predict_classes", of=["cnn", "predict_classes"],
                           activations=["relu", "softmax"], weights=weights, X=X)["value"]
    if type(labels) is np.ndarray and labels.dtype.kind not in "iu":
        raise CheckFailure(f"predict_classes returned an array of dtype {labels.dtype} and shape {labels.shape}; "
                           "expected integer labels of shape (3,).")
    expect_array(labels, np.array([5, 1, 7]), name="predict_classes(model, X)", rtol=0, atol=0)


def test_train_cnn_on_a_few_images(student):
    """train_cnn trains for the epochs it is given and returns the History"""
    rng = np.random.default_rng(0)
    X, y = rng.random((40, 8, 8, 1), dtype=np.float32), rng.integers(0, 10, size=40)
    out = student.probe("train_and_predict", "cnn", "train_cnn on 40 random images", timeout=60.0,
                        build=["cnn", "build_cnn"], train=["cnn", "train_cnn"], predict=["cnn", "predict_classes"],
                        train_kwargs={"epochs": 2, "batch_size": 8}, X_train=X, y_train=y, X_test=X[:5], seed=0)
    if out["history_type"] != "History":
        raise CheckFailure(f"train_cnn returned a {out['history_type']}; expected the History that model.fit "
                           "returns.")
    if len(out["history"]["loss"]) != 2:
        raise CheckFailure(f"train_cnn(..., epochs=2) trained for {len(out['history']['loss'])} epochs.")
    predictions = out["predictions"]
    if type(predictions) is not np.ndarray or predictions.shape != (5,):
        raise CheckFailure("predict_classes on 5 images must return 5 labels.")
