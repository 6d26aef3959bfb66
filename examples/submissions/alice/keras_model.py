"""Alice's work: a dense image classifier for the 8x8 digits, in Keras."""
import numpy as np
from tensorflow import keras
from tensorflow.keras import layers


def preprocess(images):
    return np.asarray(images, dtype=np.float32) / np.float32(16)


def build_model(input_shape=(8, 8), num_classes=10, hidden_units=(64,)):
    hidden = [layers.Dense(n, activation=keras.activations.relu) for n in hidden_units]
    model = keras.Sequential(
        [layers.Input(shape=input_shape), layers.Flatten(), *hidden,
         layers.Dense(num_classes, activation="softmax")]
    )
    model.compile(optimizer=keras.optimizers.Adam(0.001),
                  loss=keras.losses.SparseCategoricalCrossentropy(),
                  metrics=["accuracy"])
    return model


def train_model(model, X, y, epochs=20, batch_size=32):
    history = model.fit(X, y, batch_size=batch_size, epochs=epochs,
                        validation_split=0.1, verbose=0)
    return history


def predict_classes(model, X):
    probabilities = model(np.asarray(X, dtype=np.float32), training=False)
    return np.asarray(probabilities).argmax(axis=-1)
