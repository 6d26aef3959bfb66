"""Correct, in another style: the functional API, loss and metric objects, argmax of the output."""
import numpy as np
import keras
from keras import layers


def build_cnn(input_shape=(8, 8, 1), num_classes=10, filters=8):
    inputs = keras.Input(shape=input_shape, name="image")
    x = layers.Conv2D(filters=filters, kernel_size=(3, 3), strides=(1, 1), padding="same", activation="relu")(inputs)
    x = layers.MaxPooling2D(pool_size=(2, 2))(x)
    x = layers.Flatten()(x)
    outputs = layers.Dense(units=num_classes, activation="softmax")(x)
    model = keras.Model(inputs=inputs, outputs=outputs, name="digits_cnn")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-2),
                  loss=keras.losses.SparseCategoricalCrossentropy(),
                  metrics=[keras.metrics.SparseCategoricalAccuracy()])
    return model


def train_cnn(model, X, y, epochs=5, batch_size=32):
    history = model.fit(x=X, y=y, batch_size=batch_size, epochs=epochs, shuffle=True, verbose=0)
    return history


def predict_classes(model, X):
    probabilities = model.predict(X, batch_size=64, verbose=0)
    return probabilities.argmax(axis=-1)
