"""The engine's Keras probes serve any model a course asks for: Sequential or functional,
dense or convolutional. What comes back is plain data (JSON-able settings, arrays)."""
from __future__ import annotations

import json

import numpy as np
import pytest

from autograder.sandbox.worker import Limits, Sandbox

pytestmark = pytest.mark.slow

CNN = '''
import keras


def functional_cnn(filters=4):
    inputs = keras.Input(shape=(8, 8, 1))
    x = keras.layers.Conv2D(filters, 3, padding="same", activation="relu")(inputs)
    x = keras.layers.MaxPooling2D(2)(x)
    x = keras.layers.Dropout(0.25)(x)
    x = keras.layers.Flatten()(x)
    outputs = keras.layers.Dense(3, activation="softmax")(x)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def sequential_cnn():
    model = keras.Sequential([keras.Input(shape=(8, 8, 1)), keras.layers.Conv2D(2, 3, strides=2),
                              keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    return model


def build():
    return functional_cnn()
'''


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cnn")
    (folder / "cnn.py").write_text(CNN)
    box = Sandbox(folder, Limits(call_seconds=120))
    yield box
    box.close()


def test_a_functional_cnn_is_described_as_plain_data(sandbox):
    info = sandbox.probe("model_summary", "cnn", "functional_cnn", build=["cnn", "functional_cnn"],
                         kwargs={"filters": 5})
    json.dumps(info)  # plain data all through
    assert info["type"].endswith("Functional") and info["compiled"] and info["input_shape"] == [8, 8, 1]
    layers = {layer["class"]: layer for layer in info["layers"]}
    conv = layers["Conv2D"]
    assert (conv["filters"], conv["kernel_size"], conv["padding"], conv["activation"]) == (5, [3, 3], "same", "relu")
    assert conv["params"] == 5 * 9 + 5 and conv["output_shape"] == [8, 8, 5]
    assert layers["MaxPooling2D"]["pool_size"] == [2, 2] and layers["Dropout"]["rate"] == 0.25
    assert layers["Dense"]["units"] == 3 and layers["Dense"]["activation"] == "softmax"
    assert info["optimizer"] == {"class": "Adam", "learning_rate": pytest.approx(0.01)}
    assert info["loss"] == "sparse_categorical_crossentropy" and info["params"] == 50 + 4 * 4 * 5 * 3 + 3


def test_a_sequential_cnn_too(sandbox):
    info = sandbox.probe("model_summary", "cnn", "sequential_cnn", build=["cnn", "sequential_cnn"])
    assert [layer["class"] for layer in info["layers"]] == ["Conv2D", "GlobalAveragePooling2D", "Dense"]
    assert info["layers"][0]["strides"] == [2, 2] and info["optimizer"]["class"] == "SGD"


def test_training_and_predicting_a_functional_model_with_a_fixed_seed(sandbox):
    rng = np.random.default_rng(0)
    X, y = rng.random((24, 8, 8, 1)).astype("float32"), rng.integers(0, 3, size=24)
    runs = [sandbox.probe("train_and_predict", "cnn", "training", build=["cnn", "build"], X_train=X, y_train=y,
                          X_test=X[:6], train_kwargs={"epochs": 2, "batch_size": 8, "verbose": 0}, seed=3)
            for _ in range(2)]
    for out in runs:
        assert type(out["predictions"]) is np.ndarray and out["predictions"].shape == (6,)
        assert set(out["history"]) >= {"loss", "accuracy"} and len(out["history"]["loss"]) == 2
        assert out["fit"]["epochs"] == 2 and out["fit"]["steps"] == 3  # 24 samples in batches of 8
    assert np.array_equal(runs[0]["predictions"], runs[1]["predictions"])  # the seed fixes the run
    assert runs[0]["history"]["loss"] == pytest.approx(runs[1]["history"]["loss"])
