"""Hidden grader: an image classifier for the 8x8 digits in Keras (10 points).

The student's model is built and trained inside the sandbox by the engine's Keras probes, which
send back only plain data: the architecture as JSON and the predicted labels.
The held-out labels never leave this process. Training uses a fixed seed, the
student's own preprocess/build_model/train_model/predict_classes, and EPOCHS epochs.

EPOCHS is the fewest that decide the accuracy check with a margin of 0.1 each side,
measured by benchmarks/keras_epochs.py over grading seeds 0-19 (split and training
seed both change): after 5 epochs every correct implementation reaches 0.88-0.93,
while the broken ones reach at most 0.66 (training one epoch whatever is asked),
0.57 (a relu output layer) and 0.20 (X and y shuffled separately), or send no labels
at all. The pass mark sits between them. Wrong architectures that still learn (32
hidden units: 0.81-0.90; sigmoid hidden layers: 0.78-0.88) lose their points in the
architecture tests, not here.
"""
import functools
import math

import numpy as np
import pytest

from autograder.checks import CheckFailure, Figure, Series, expect_array, expect_compiled, figures, show

BATCH_SIZE = 32
EPOCHS = 5
PASS_ACCURACY = 0.77
TRAIN_SECONDS = 300.0


@functools.lru_cache(maxsize=4)
def digits_split(seed=0):
    """75% / 25% split of the digits, fixed by the run's seed: (X_train, y_train, X_test, y_test)."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    order = np.random.default_rng([seed, 0]).permutation(len(digits.target))
    cut = int(0.75 * len(order))
    X, y = digits.images.astype(np.float64), digits.target.astype(np.int64)
    return X[order[:cut]], y[order[:cut]], X[order[cut:]], y[order[cut:]]


def prepare(seed):
    """Called by each batch worker before its first submission: the digits are loaded (and
    scikit-learn imported, most of a second) while the worker's sandbox is still starting."""
    digits_split(seed)


@pytest.mark.points(1.5, visibility="visible")
def test_preprocess(student):
    """preprocess scales pixels 0..16 to float32 values in [0, 1]"""
    # Expected values are computed here: importing the reference module would bring
    # TensorFlow into the grading process, which never needs it.
    images = digits_split()[0][:5]
    for X in (images, images.astype(np.int64), images[:1]):
        expect_array(student.keras_model.preprocess(X.copy(), timeout=120.0), (X / 16.0).astype(np.float32),
                     name="preprocess(images)", inputs=f"images of shape {X.shape} and dtype {X.dtype}",
                     dtype="float32", rtol=1e-6, atol=1e-7, hints={
                         "the pixels were not scaled: divide by 16, the largest pixel value.": X,
                         "the pixels were divided by 255; these digits go from 0 to 16, so divide by 16.": X / 255})


def architecture(student, **kwargs):
    info = student.probe("model_summary", "keras_model", "build_model", timeout=120.0,
                         build=["keras_model", "build_model"], kwargs=kwargs)
    if "layers" not in info:
        raise CheckFailure(f"build_model returned a {info.get('type')}, not a keras.Sequential model.")
    info["layers"] = [layer for layer in info["layers"] if layer["class"] != "InputLayer"]
    return info


def expected_layers(hidden_units, num_classes):
    return [("Flatten", None, None)] + [("Dense", h, "relu") for h in hidden_units] + [
        ("Dense", num_classes, "softmax")]


def expect_layers(info, hidden_units, num_classes, input_shape, call):
    got = [(layer["class"], layer["units"], layer["activation"]) for layer in info["layers"]]
    got = [(c, u, a) if c == "Dense" else (c, None, None) for c, u, a in got]
    want = expected_layers(hidden_units, num_classes)
    listing = ", ".join(c if c != "Dense" else f"Dense({u}, {a})" for c, u, a in got)
    if not got or got[0][0] != "Flatten":
        raise CheckFailure(f"{call}: the first layer after Input is {got[0][0] if got else 'missing'}, not Flatten.",
                           diagnosis="without Flatten, Dense layers act on each 8-pixel row separately and the "
                                     "output has shape (n, 8, C) instead of (n, C). Add keras.layers.Flatten().")
    if len(got) != len(want):
        raise CheckFailure(f"{call} has {len(got)} layers ({listing}); expected {len(want)}: Flatten, one Dense "
                           f"per entry of hidden_units, then the output Dense.")
    for i, ((c, u, a), (wc, wu, wa)) in enumerate(zip(got, want)):
        role = "the output layer" if i == len(want) - 1 else f"hidden layer {i}"
        if c != wc:
            raise CheckFailure(f"{call}: {role} is a {c}; expected a {wc} layer.")
        if u != wu:
            raise CheckFailure(f"{call}: {role} has {u} units; expected {wu}.",
                               diagnosis="the units must come from the arguments (hidden_units, num_classes), "
                                         "not be fixed numbers." if i else "")
        if a != wa:
            cause = ("the output layer must turn scores into probabilities with softmax, as "
                     "sparse_categorical_crossentropy (from_logits=False) expects." if wa == "softmax" else
                     "hidden layers use relu.")
            raise CheckFailure(f"{call}: {role} uses activation '{a}'; expected '{wa}'.", diagnosis=cause)
    if input_shape is not None and info.get("input_shape") != list(input_shape):
        raise CheckFailure(f"{call}: the model's input shape is {info.get('input_shape')}; expected "
                           f"{list(input_shape)}. Start the model with keras.Input(shape=input_shape).")


def parameter_count(input_shape, hidden_units, num_classes):
    sizes = [int(np.prod(input_shape)), *hidden_units, num_classes]
    return sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))


@pytest.mark.points(2, visibility="visible")
@pytest.mark.functions("build_model")
def test_default_architecture(student):
    """build_model() is Input(8, 8), Flatten, Dense(64, relu), Dense(10, softmax)"""
    info = architecture(student)
    expect_layers(info, (64,), 10, (8, 8), "build_model()")
    if info["params"] != parameter_count((8, 8), (64,), 10):
        raise CheckFailure(f"build_model() has {info['params']} parameters; expected "
                           f"{parameter_count((8, 8), (64,), 10)}.")


@pytest.mark.points(1.5, visibility="hidden")
@pytest.mark.functions("build_model")
def test_architecture_follows_arguments(student):
    """build_model follows its arguments: input_shape, num_classes, hidden_units"""
    for kwargs in ({"input_shape": (8, 8), "num_classes": 5, "hidden_units": (32, 16)},
                   {"input_shape": (4, 6), "num_classes": 3, "hidden_units": ()}):
        call = f"build_model({', '.join(f'{k}={v}' for k, v in kwargs.items())})"
        info = architecture(student, **kwargs)
        expect_layers(info, kwargs["hidden_units"], kwargs["num_classes"], kwargs["input_shape"], call)
        expected = parameter_count(kwargs["input_shape"], kwargs["hidden_units"], kwargs["num_classes"])
        if info["params"] != expected:
            raise CheckFailure(f"{call} has {info['params']} parameters; expected {expected}.")


@pytest.mark.points(1.5, visibility="hidden")
@pytest.mark.functions("build_model")
def test_compile_settings(student):
    """build_model compiles with Adam(1e-3), sparse_categorical_crossentropy and accuracy"""
    expect_compiled(architecture(student), built_by="build_model", learning_rate=1e-3, rate_text="1e-3",
                    labels="the digits' labels are integers 0..9", output="softmax")


@pytest.mark.points(1, visibility="hidden")
def test_predict_classes(student, make_rng):
    """predict_classes returns the argmax label of each sample"""
    rng = make_rng(70)
    weights = [rng.normal(0, 0.3, size=(64, 12)), rng.normal(0, 0.1, size=12),
               rng.normal(0, 0.5, size=(12, 10)), rng.normal(0, 0.1, size=10)]
    X = rng.uniform(0, 1, size=(20, 8, 8))
    hidden = np.maximum(X.reshape(20, -1) @ weights[0] + weights[1], 0)
    expected = np.argmax(hidden @ weights[2] + weights[3], axis=1)
    labels = student.probe("call_on_model", "keras_model", "predict_classes", timeout=120.0,
                           of=["keras_model", "predict_classes"], activations=["relu", "softmax"],
                           weights=[w.astype(np.float32) for w in weights], X=X.astype(np.float32))["value"]
    if type(labels) is np.ndarray and labels.dtype.kind == "f" and labels.ndim == 2:
        raise CheckFailure(f"predict_classes returned an array of shape {labels.shape} (the probabilities); "
                           "expected one integer label per sample: take np.argmax(..., axis=1).")
    expect_array(labels, expected, name="predict_classes(model, X)", inputs="20 samples and a fixed model",
                 rtol=0, atol=0)


@pytest.fixture(scope="session")
def trained(student, grading_seed):
    """The student's model trained once per submission (the slowest step of grading), for the
    tests of what training does: ("out", probe output) or ("raised", the exception)."""
    X_train, y_train, X_test, _ = digits_split(grading_seed)
    try:
        return "out", student.probe("train_and_predict", "keras_model", "training your model", timeout=TRAIN_SECONDS,
                                    preprocess=["keras_model", "preprocess"], build=["keras_model", "build_model"],
                                    train=["keras_model", "train_model"],
                                    predict=["keras_model", "predict_classes"],
                                    train_kwargs={"epochs": EPOCHS, "batch_size": BATCH_SIZE},
                                    X_train=X_train, y_train=y_train, X_test=X_test, seed=grading_seed)
    except Exception as exc:  # each test that needs the training says how it ended
        return "raised", exc


def training_output(trained):
    how, value = trained
    if how == "raised":
        raise value
    return value


@pytest.mark.points(2, visibility="hidden")
@pytest.mark.functions("preprocess", "build_model", "train_model", "predict_classes")
def test_trained_accuracy(trained, grading_seed):
    """the trained model classifies held-out digits accurately"""
    out = training_output(trained)
    y_test = digits_split(grading_seed)[3]
    show_curves(out)
    predictions = out["predictions"]
    if type(predictions) is not np.ndarray or predictions.shape != y_test.shape:
        shape = predictions.shape if type(predictions) is np.ndarray else type(predictions).__name__
        raise CheckFailure(f"predict_classes on the {len(y_test)} held-out digits returned {shape}; expected "
                           f"shape {y_test.shape}.")
    show(confusion(predictions, y_test))
    accuracy = float(np.mean(predictions == y_test))
    if accuracy < PASS_ACCURACY:
        ran = fitted_epochs(out)
        raise CheckFailure(
            f"Asked to train for {EPOCHS} epochs with seed {grading_seed}, your model classifies {accuracy:.1%} of "
            f"held-out digits correctly; a correct model reaches about 90%.",
            diagnosis=f"the History that train_model returned records {ran} epoch{'' if ran == 1 else 's'} of "
                      f"training, though {EPOCHS} were asked for: pass its epochs argument on to model.fit."
            if ran is not None and ran != EPOCHS else "")


@pytest.mark.points(0.5, visibility="hidden")
@pytest.mark.functions("train_model")
def test_validation_split(trained, grading_seed):
    """train_model holds out 10% of the samples for validation (validation_split=0.1)"""
    out = training_output(trained)
    curves = history(out)
    if curves is None:
        raise CheckFailure(f"train_model returned a {out.get('history_type')}, not the History that model.fit "
                           f"returns, so what it trained on cannot be read.")
    if "val_loss" not in curves:
        raise CheckFailure("The History that train_model returned records no validation loss (val_loss): the model "
                           "was not validated while it trained.",
                           diagnosis="model.fit is called without validation_split=0.1: pass it, and Keras holds out "
                                     "the last 10% of the samples for validation.")
    steps = (out.get("fit") or {}).get("steps")
    n = len(digits_split(grading_seed)[1])
    if type(steps) is int and steps not in {math.ceil(k / BATCH_SIZE) for k in (math.floor(0.9 * n),
                                                                                math.ceil(0.9 * n))}:
        low, high = ((steps - 1) * BATCH_SIZE + 1) / n, min(steps * BATCH_SIZE / n, 1.0)
        raise CheckFailure(
            f"Asked for batches of {BATCH_SIZE}, model.fit ran {steps} steps per epoch, so it trained on {low:.0%} to "
            f"{high:.0%} of the samples; with validation_split=0.1 it trains on 90% of them.",
            known="the model is validated while it trains (the History records val_loss), but either another share "
                  "of the samples is held out, or the batch_size argument is not passed on to model.fit.")


def show_curves(out):
    """The student's own training curves, from the History their train_model returned."""
    curves = history(out)
    if curves is None:
        return
    for metric in ("loss", "accuracy"):
        found = {label: curves[key] for key, label in ((metric, "training"), (f"val_{metric}", "validation"))
                 if key in curves}
        show(figures.curves(f"your model's {metric} per epoch", found, y_label=metric, dashed=["validation"]))


def confusion(predictions, y_test):
    """What share of each digit the model labels as each digit (rows: the true digit)."""
    if predictions.dtype.kind not in "iu" or predictions.min(initial=0) < 0 or predictions.max(initial=0) > 9:
        return None
    counts = np.zeros((10, 10))
    np.add.at(counts, (y_test, predictions), 1)
    shares = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    return Figure("which digit your model says each held-out digit is",
                  tuple(Series.of(str(d), shares[d]) for d in range(10)), kind="matrix",
                  labels=tuple(map(str, range(10))), x_label="predicted digit", y_label="true digit")


def history(out):
    """The curves of the History that train_model returned ({"loss": [...], ...}), or None."""
    curves = out.get("history") if type(out) is dict else None
    return curves if type(curves) is dict else None


def fitted_epochs(out):
    """How many epochs the History that train_model returned records (its loss curve), or None."""
    loss = (history(out) or {}).get("loss")
    return len(loss) if type(loss) is list else None
