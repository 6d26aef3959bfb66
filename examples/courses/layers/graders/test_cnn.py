"""Hidden grader: a small convolutional network for the 8x8 digits, in Keras (10 points).

Written with the authoring API only (docs/authoring.md). The student's model never leaves the
sandbox: the engine's Keras probes describe it (`model_summary`: layers, settings, output shapes,
parameters, compile settings, as plain data), call predict_classes on a dense model holding this
grader's weights (`call_on_model`), and build, train and predict with the student's own
functions under the grading seed (`train_and_predict`). The digits are read here, from the
course's data/digits.npz, and sent to the sandbox already scaled (pixels / 16, float32, shape
(n, 8, 8, 1)); the held-out labels never leave this process.

Training: EPOCHS epochs (not the default 5, so that a train_cnn ignoring `epochs` shows) in
batches of 32 on a 75% / 25% split fixed by the grading seed (split and Keras seed both change
with it). Measured over grading seeds 0-59 (benchmark outside the course: the probe's steps run
in-process), the reference and the three variants of graders/variants/cnn reach held-out
accuracy 0.90-0.98 (mean 0.94; the variants compute the same thing and match the reference to
the digit). Broken training, over seeds 0-39, reaches at most 0.36: SGD in place of Adam
0.15-0.36, no softmax on the output 0.04-0.26, labels shuffled apart from the images 0.03-0.19.
PASS_ACCURACY sits between them: 0.30 below the worst correct run, 0.24 above the best broken
one. Mistakes that still learn lose their points in the architecture, compile and training
tests rather than here (seeds 0-39: one epoch 0.72-0.92, average pooling 0.84-0.95, padding
'valid' 0.89-0.96; learning rate 1e-3 0.65-0.84 and sigmoid in Conv2D 0.63-0.87, close enough to
the mark that their mutants list this test as unstable).
"""
import functools
from pathlib import Path

import numpy as np
import pytest

from autograder.checks import CheckFailure, expect_array, expect_compiled

DATA = Path(__file__).resolve().parent.parent / "data" / "digits.npz"
EPOCHS = 3
BATCH_SIZE = 32
PASS_ACCURACY = 0.6
TRAIN_SECONDS = 120.0  # one probe: build, 3 epochs and predict take 2-3 s here

EXPECTED_CLASSES = ["Conv2D", "MaxPooling2D", "Flatten", "Dense"]
# layers that only apply an activation: folded into the Conv2D or Dense layer before them
ACTIVATION_LAYERS = {"Activation": None, "ReLU": "relu", "Softmax": "softmax"}


@functools.lru_cache(maxsize=4)
def digits_split(seed):
    """(X_train, y_train, X_test, y_test): a 75% / 25% split fixed by the seed, X scaled to [0, 1]
    as float32 with one channel axis: shape (n, 8, 8, 1)."""
    with np.load(DATA) as data:
        images, labels = data["images"], data["labels"].astype(np.int64)
    X = (images.astype(np.float32) / np.float32(16.0))[..., None]
    order = np.random.default_rng([seed, 0]).permutation(len(labels))
    cut = int(0.75 * len(order))
    return X[order[:cut]], labels[order[:cut]], X[order[cut:]], labels[order[cut:]]


def prepare(seed):
    """Batch workers call this before their first submission: the data is read while the sandbox starts."""
    digits_split(seed)


# -- the architecture ---------------------------------------------------------------------

def describe(student, args=(), kwargs=None):
    """The model build_cnn returns, as the model_summary probe describes it, with Input layers
    dropped and activation-only layers folded into the layer they follow."""
    info = student.probe("model_summary", "cnn", "build_cnn", build=["cnn", "build_cnn"], args=list(args),
                         kwargs=dict(kwargs or {}))
    if "layers" not in info:
        raise CheckFailure(f"build_cnn returned {info.get('type')}, not a Keras model: return the model you "
                           f"built (keras.Sequential or keras.Model).")
    layers = []
    for layer in info["layers"]:
        kind = layer["class"]
        if kind == "InputLayer":
            continue
        if kind in ACTIVATION_LAYERS and layers and layers[-1]["class"] in ("Conv2D", "Dense") \
                and layers[-1]["activation"] in ("linear", None):
            layers[-1] = dict(layers[-1], activation=ACTIVATION_LAYERS[kind] or layer["activation"],
                              output_shape=layer["output_shape"])
            continue
        layers.append(layer)
    info["layers"] = layers
    return info


def call_text(args, kwargs):
    parts = [repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()]
    return f"build_cnn({', '.join(parts)})"


def expect_architecture(info, input_shape, num_classes, filters, call, visible):
    """Conv2D(filters, 3, padding="same", relu) -> MaxPooling2D(2) -> Flatten -> Dense(num_classes, softmax).

    Expected numbers that follow from the arguments are said in the summary only where the call
    shows them (filters, num_classes, the input shape); derived ones (output shapes, parameter
    counts) go to `reveal`, shown on visible tests only."""
    H, W, C = input_shape
    shapes = [[H, W, filters], [H // 2, W // 2, filters], [(H // 2) * (W // 2) * filters], [num_classes]]
    params = filters * (9 * C + 1) + ((H // 2) * (W // 2) * filters + 1) * num_classes

    def shown(expected):
        return f"expected {expected}." if visible else ""

    if info.get("input_shape") != list(input_shape):
        raise CheckFailure(f"{call}: the model's input shape is {info.get('input_shape')}; expected "
                           f"{list(input_shape)}. Start the model with keras.Input(shape=input_shape).")
    layers = info["layers"]
    classes = [layer["class"] for layer in layers]
    if classes != EXPECTED_CLASSES:
        listing = ", ".join(classes) or "no layers"
        if classes == ["Conv2D", "Flatten", "Dense"]:
            raise CheckFailure(f"{call} has the layers {listing}: the MaxPooling2D(2) layer after Conv2D is "
                               "missing.")
        if len(classes) == 4 and classes[1] != "MaxPooling2D" and "Pooling" in classes[1]:
            raise CheckFailure(f"{call} pools with {classes[1]}; expected MaxPooling2D, which keeps the strongest "
                               "response of each 2x2 block.")
        raise CheckFailure(f"{call} has the layers {listing} (after Input, with activation layers counted as "
                           f"part of the layer before them); expected {', '.join(EXPECTED_CLASSES)}.")
    conv, pool, _, dense = layers
    if conv.get("filters") != filters:
        raise CheckFailure(f"{call}: Conv2D has {conv.get('filters')} filters; expected {filters}.",
                           diagnosis="the number of filters must come from the argument `filters`, not be a fixed "
                                     "number." if conv.get("filters") == 8 else "")
    if conv.get("kernel_size") != [3, 3]:
        raise CheckFailure(f"{call}: Conv2D's kernels are {conv.get('kernel_size')}; expected 3x3 (kernel_size=3).")
    if conv.get("strides") != [1, 1]:
        raise CheckFailure(f"{call}: Conv2D moves with strides {conv.get('strides')}; expected 1 (the default).")
    if conv.get("padding") != "same":
        raise CheckFailure(f"{call}: Conv2D uses padding {conv.get('padding')!r}; expected 'same'.",
                           diagnosis="Conv2D's default padding is 'valid', under which a 3x3 kernel only visits "
                                     "positions where it fits inside the image, and each map loses its border (a "
                                     "row at the top and bottom, a column at the left and right); padding='same' "
                                     "keeps the height and width."
                           if conv.get("padding") == "valid" else "")
    if conv["activation"] != "relu":
        cause = ("Conv2D applies no activation unless told: without one the layer is linear. Pass "
                 "activation=\"relu\"." if conv["activation"] in ("linear", None) else "")
        raise CheckFailure(f"{call}: Conv2D uses activation {conv['activation']!r}; expected 'relu'.", diagnosis=cause)
    if pool.get("pool_size") != [2, 2] or pool.get("strides") != [2, 2] or pool.get("padding") != "valid":
        raise CheckFailure(f"{call}: MaxPooling2D has pool_size {pool.get('pool_size')}, strides "
                           f"{pool.get('strides')} and padding {pool.get('padding')!r}; expected MaxPooling2D(2): "
                           "2x2 windows, stride 2, padding 'valid'.")
    if dense.get("units") != num_classes:
        raise CheckFailure(f"{call}: the output layer has {dense.get('units')} units; expected {num_classes}, one "
                           "per class.",
                           diagnosis="the units must come from the argument `num_classes`, not be a fixed number."
                           if dense.get("units") == 10 else "")
    if dense["activation"] != "softmax":
        cause = ""
        if dense["activation"] in ("linear", None) and info.get("compiled") and info.get("from_logits") is False:
            cause = ("without softmax the output layer gives unnormalised scores, which the loss (built with "
                     "from_logits=False) takes for probabilities: use Dense(num_classes, activation=\"softmax\").")
        raise CheckFailure(f"{call}: the output layer uses activation {dense['activation']!r}; expected 'softmax'.",
                           diagnosis=cause)
    for layer, expected in zip(layers, shapes):
        if layer.get("output_shape") != expected:
            raise CheckFailure(f"{call}: the output of {layer['class']} has shape {layer.get('output_shape')} "
                               f"(per sample); {shown(expected) or 'that is not what these layers give.'}")
    if info.get("params") != params:
        raise CheckFailure(f"{call} has {info.get('params')} trainable parameters; "
                           f"{shown(params) or 'that is not what these layers hold.'}")


@pytest.mark.points(2, visibility="visible")
@pytest.mark.functions("build_cnn")
def test_default_architecture(student):
    """build_cnn() is Conv2D(8, 3, same, relu), MaxPooling2D(2), Flatten, Dense(10, softmax)"""
    info = describe(student)
    expect_architecture(info, (8, 8, 1), 10, 8, "build_cnn()", visible=True)


@pytest.mark.points(2, visibility="hidden")
@pytest.mark.functions("build_cnn")
def test_architecture_follows_arguments(student):
    """build_cnn follows its arguments: input_shape, num_classes, filters"""
    # a 3-channel non-square image, then odd sizes (pooling rounds down) passed by position
    for args, kwargs in [((), {"input_shape": (6, 10, 3), "num_classes": 4, "filters": 5}),
                         (((7, 9, 2), 3, 6), {})]:
        input_shape, num_classes, filters = args or (kwargs["input_shape"], kwargs["num_classes"], kwargs["filters"])
        info = describe(student, args, kwargs)
        expect_architecture(info, input_shape, num_classes, filters, call_text(args, kwargs), visible=False)


@pytest.mark.points(1.5, visibility="hidden")
@pytest.mark.functions("build_cnn")
def test_compile_settings(student):
    """build_cnn compiles with Adam(learning_rate=0.01), sparse_categorical_crossentropy and accuracy"""
    expect_compiled(describe(student), built_by="build_cnn", learning_rate=0.01,
                    labels="the digits' labels are integers 0..9", output="softmax")


# -- predictions ----------------------------------------------------------------------------

def fixed_model(rng, n=20):
    """Weights of a dense model (Flatten, Dense(12, relu), Dense(10, softmax)) and images for it,
    with what it predicts, computed here: (weights, X, probabilities)."""
    weights = [rng.normal(0, 0.3, size=(64, 12)), rng.normal(0, 0.1, size=12),
               rng.normal(0, 0.5, size=(12, 10)), rng.normal(0, 0.1, size=10)]
    weights = [w.astype(np.float32) for w in weights]
    X = rng.uniform(0, 1, size=(n, 8, 8, 1)).astype(np.float32)
    hidden = np.maximum(X.reshape(n, -1).astype(np.float64) @ weights[0] + weights[1], 0)
    scores = hidden @ weights[2] + weights[3]
    probabilities = np.exp(scores - scores.max(axis=1, keepdims=True))
    return weights, X, probabilities / probabilities.sum(axis=1, keepdims=True)


@pytest.mark.points(1.5, visibility="hidden")
@pytest.mark.functions("predict_classes")
def test_predict_classes(student, make_rng):
    """predict_classes returns one integer label per image: the most probable class"""
    for key in range(1, 11):  # a draw with no near-tie, so that float32 rounding cannot change a label
        weights, X, probabilities = fixed_model(make_rng(key))
        top2 = np.sort(probabilities, axis=1)[:, -2:]
        if np.all(top2[:, 1] - top2[:, 0] > 1e-3):
            break
    expected = np.argmax(probabilities, axis=1)
    labels = student.probe("call_on_model", "cnn", "predict_classes", of=["cnn", "predict_classes"],
                           activations=["relu", "softmax"], weights=weights, X=X)["value"]
    name, inputs = "predict_classes(model, X)", f"{len(X)} images and a fixed model"
    if type(labels) is np.ndarray and labels.shape == probabilities.shape:
        if labels.dtype.kind == "f" and np.allclose(labels, probabilities, atol=1e-4):
            raise CheckFailure(f"{name} returned an array of shape {labels.shape}, the model's probabilities; "
                               "expected one integer label per image: take np.argmax(..., axis=1).")
    if type(labels) is np.ndarray and labels.shape == (probabilities.shape[1],) \
            and np.array_equal(labels, np.argmax(probabilities, axis=0)):
        raise CheckFailure(f"{name} returned {labels.shape[0]} labels for {len(X)} images.",
                           diagnosis="the argmax was taken over axis 0, the images; the classes are axis 1 "
                                     "(or -1).")
    if type(labels) is np.ndarray and labels.shape == expected.shape and labels.dtype.kind not in "iu":
        same = labels.dtype.kind == "f" and np.array_equal(labels, expected)
        raise CheckFailure(f"{name} returned labels of dtype {labels.dtype}; expected integers.",
                           diagnosis="the labels are right, but as floats: return np.argmax's integers as they are."
                           if same else "")
    expect_array(labels, expected, name=name, inputs=inputs, rtol=0, atol=0)


# -- training ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def training(student, grading_seed):
    """One training run of this submission, shared by the two tests below: (outcome, error, y_test).
    An error is kept and raised by each test that needs the run, so both lose their points."""
    X_train, y_train, X_test, y_test = digits_split(grading_seed)
    try:
        out = student.probe("train_and_predict", "cnn", "training your network", timeout=TRAIN_SECONDS,
                            build=["cnn", "build_cnn"], train=["cnn", "train_cnn"],
                            predict=["cnn", "predict_classes"],
                            train_kwargs={"epochs": EPOCHS, "batch_size": BATCH_SIZE},
                            X_train=X_train, y_train=y_train, X_test=X_test, seed=grading_seed)
    except Exception as exc:  # noqa: BLE001 - raised again, as it was, in each test
        return None, exc, y_test
    return out, None, y_test


@pytest.mark.points(1, visibility="hidden")
@pytest.mark.functions("train_cnn")
def test_train_cnn(training):
    """train_cnn trains for the epochs it is given and returns model.fit's History"""
    out, error, _ = training
    if error is not None:
        raise error
    call = f"train_cnn(model, X, y, epochs={EPOCHS}, batch_size={BATCH_SIZE})"
    if out["history_type"] != "History" or out["history"] is None:
        raise CheckFailure(f"{call} returned a {out['history_type']}; expected the History object that "
                           "model.fit returns: `return model.fit(...)`.")
    losses = out["history"].get("loss", [])
    if len(losses) != EPOCHS:
        raise CheckFailure(f"{call} trained for {len(losses)} epoch(s), by its History; expected {EPOCHS}.",
                           diagnosis="the History records one loss per epoch of the model.fit call that returned "
                                     "it: train with one call, model.fit(..., epochs=epochs).")


@pytest.mark.points(2, visibility="hidden")
@pytest.mark.functions("build_cnn", "train_cnn", "predict_classes")
def test_trained_accuracy(training, grading_seed):
    """the trained network classifies held-out digits accurately"""
    out, error, y_test = training
    if error is not None:
        raise error
    predictions = out["predictions"]
    if type(predictions) is not np.ndarray or predictions.shape != y_test.shape:
        shape = f"shape {predictions.shape}" if type(predictions) is np.ndarray else type(predictions).__name__
        raise CheckFailure(f"predict_classes on the {len(y_test)} held-out digits returned {shape}; expected shape "
                           f"{y_test.shape}, one label per image.")
    accuracy = float(np.mean(predictions == y_test))
    if accuracy < PASS_ACCURACY:
        raise CheckFailure(f"Built by build_cnn(), trained by train_cnn for {EPOCHS} epochs with seed {grading_seed} "
                           f"and asked for labels by predict_classes, your network classifies {accuracy:.1%} of "
                           f"held-out digits correctly; a correct network gets about 90% or more.")
