"""Correct, in another style: a list of layers with a ReLU layer and Activation("softmax"),
the positional compile, the model called directly, int32 labels."""
import numpy as np
import keras


def build_cnn(input_shape=(8, 8, 1), num_classes=10, filters=8):
    stack = [
        keras.layers.Input(input_shape),
        keras.layers.Conv2D(filters, kernel_size=3, padding="same", use_bias=True),
        keras.layers.ReLU(),
        keras.layers.MaxPooling2D(pool_size=(2, 2), strides=2),
        keras.layers.Flatten(),
        keras.layers.Dense(num_classes),
        keras.layers.Activation(keras.activations.softmax),
    ]
    model = keras.models.Sequential(stack)
    optimizer = keras.optimizers.Adam(learning_rate=0.01)
    model.compile(optimizer, "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def train_cnn(model, X, y, epochs=5, batch_size=32):
    X = np.asarray(X, dtype="float32")
    y = np.asarray(y)
    return model.fit(X, y, epochs=epochs, batch_size=batch_size, verbose=0)


def predict_classes(model, X):
    scores = keras.ops.convert_to_numpy(model(np.asarray(X, dtype="float32"), training=False))
    return np.argmax(scores, axis=-1).astype(np.int32)
