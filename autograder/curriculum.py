"""The assignments of CURRICULUM.md: their module names and the functions they define."""
from __future__ import annotations

ASSIGNMENTS: dict[str, tuple[str, ...]] = {
    "perceptron": ("net_input", "step", "predict", "perceptron_update", "train_perceptron"),
    "activations": ("sigmoid", "sigmoid_grad", "tanh", "tanh_grad", "relu", "relu_grad", "softmax"),
    "gradient_descent": ("sse_cost", "sse_gradient", "gradient_descent_step", "train_adaline"),
    "mlp": ("init_params", "affine_forward", "affine_backward", "forward", "cross_entropy_loss",
            "loss_and_grads", "numerical_gradient", "sgd_step", "train_mlp"),
    "keras_model": ("preprocess", "build_model", "train_model", "predict_classes"),
}

TITLES: dict[str, str] = {
    "perceptron": "The perceptron",
    "activations": "Activation functions",
    "gradient_descent": "Gradient descent (Adaline)",
    "mlp": "Backpropagation in an MLP",
    "keras_model": "An image classifier in Keras",
}


def check_names(names: list[str] | None) -> list[str]:
    """The assignments to grade, in curriculum order; unknown names are an error."""
    if not names:
        return list(ASSIGNMENTS)
    unknown = [n for n in names if n not in ASSIGNMENTS]
    if unknown:
        raise ValueError(f"unknown assignment {', '.join(unknown)}; choose from {', '.join(ASSIGNMENTS)}")
    return [n for n in ASSIGNMENTS if n in names]
