"""A small convolutional network for the 8x8 handwritten digits, in Keras.

Images come as float32 arrays of shape (n, 8, 8, 1), pixels already scaled to [0, 1] (divided by
16); labels are integers 0..9. Implement each function below, then run `autograder check` in
this folder.
"""
import numpy as np
import keras


def build_cnn(input_shape=(8, 8, 1), num_classes=10, filters=8):
    """A compiled Keras model (Sequential or functional), in this order:

    - keras.Input(shape=input_shape): an image of shape (height, width, channels);
    - Conv2D(filters, 3, padding="same", activation="relu"): `filters` 3x3 feature detectors,
      each spanning all input channels; "same" padding keeps height and width;
    - MaxPooling2D(2): the strongest response of each 2x2 block (height and width halved,
      rounded down);
    - Flatten();
    - Dense(num_classes, activation="softmax"): one probability per class.

    Compiled with keras.optimizers.Adam(learning_rate=0.01), the loss
    "sparse_categorical_crossentropy" (integer labels) and the metric "accuracy".
    """
    raise NotImplementedError("build_cnn")


def train_cnn(model, X, y, epochs=5, batch_size=32):
    """Fits the model on images X of shape (n, 8, 8, 1) (float32, scaled to [0, 1]) and integer
    labels y of shape (n,), for `epochs` epochs in batches of `batch_size`, quietly (verbose=0),
    and returns the History that model.fit returns."""
    raise NotImplementedError("train_cnn")


def predict_classes(model, X):
    """The predicted label of each image of X: an integer array of shape (n,), the index of the
    largest of the model's class probabilities (np.argmax of model.predict over the last axis)."""
    raise NotImplementedError("predict_classes")
