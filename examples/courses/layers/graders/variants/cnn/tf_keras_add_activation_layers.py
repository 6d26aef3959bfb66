"""Correct, in another style: tf.keras, a Sequential built with .add, activations as separate
layers (Activation, ReLU, Softmax), the loss as a function, tf.argmax."""
import numpy as np
import tensorflow as tf


def build_cnn(input_shape=(8, 8, 1), num_classes=10, filters=8):
    model = tf.keras.Sequential()
    model.add(tf.keras.layers.Input(shape=input_shape))
    model.add(tf.keras.layers.Conv2D(filters, (3, 3), padding="same"))
    model.add(tf.keras.layers.Activation("relu"))
    model.add(tf.keras.layers.MaxPool2D(pool_size=2))
    model.add(tf.keras.layers.Flatten())
    model.add(tf.keras.layers.Dense(num_classes))
    model.add(tf.keras.layers.Softmax())
    model.compile(optimizer=tf.keras.optimizers.Adam(0.01), loss=tf.keras.losses.sparse_categorical_crossentropy,
                  metrics=["acc"])
    return model


def train_cnn(model, X, y, epochs=5, batch_size=32):
    return model.fit(X, y, batch_size, epochs, verbose=0)


def predict_classes(model, X):
    return tf.argmax(model.predict(X, verbose=0), axis=-1).numpy()
