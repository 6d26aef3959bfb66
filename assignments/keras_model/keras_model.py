"""Assignment 5: an image classifier for the 8x8 handwritten digits, in Keras.

Images have shape (8, 8) with pixel values 0..16; there are 10 classes.
"""
import numpy as np
import keras


def preprocess(images):
    """A float32 array of the same shape, scaled to [0, 1] (divide by 16)."""
    raise NotImplementedError("preprocess")


def build_model(input_shape=(8, 8), num_classes=10, hidden_units=(64,)):
    """A compiled keras.Sequential: Input(input_shape), Flatten, one Dense(h, "relu") per
    entry of hidden_units, Dense(num_classes, "softmax"); compiled with Adam(1e-3), loss
    "sparse_categorical_crossentropy" and metric "accuracy"."""
    raise NotImplementedError("build_model")


def train_model(model, X, y, epochs=20, batch_size=32):
    """Returns the History of model.fit(..., validation_split=0.1)."""
    raise NotImplementedError("train_model")


def predict_classes(model, X):
    """Integer class labels of shape (n,): the argmax of the model's probabilities."""
    raise NotImplementedError("predict_classes")
