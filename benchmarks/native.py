"""The course as otter's and nbgrader's own users would write it: what a course uses instead of us.

Each assignment becomes one notebook with an answer cell per function and, after it, a
test cell of plain asserts (nbgrader: an autograded test cell, its hidden asserts
between `### BEGIN HIDDEN TESTS` and `### END HIDDEN TESTS`; otter: a question with
a public and a hidden OK-format test case). Nothing in them calls autograder: the
tools execute each student's notebook in a Jupyter kernel and run the asserts there,
the Keras notebook training the student's own model (five epochs, as our grader does).

The tests check what our graders check, as an instructor writes it by hand: values
against formulas, gradients against centred differences, stability at |z| = 1e4,
purity, shapes, what the training reaches. They are not meant to be as thorough as
ours (no diagnosis, fewer inputs), so the comparison flatters neither side's speed.

A student's code goes into the notebooks cell by cell: each function of their module
into its answer cell, their imports and helpers into the first one (and, in the MLP
notebook, their activation functions into a cell of their own, as the notebook
course has no `activations.py` to import).
"""
from __future__ import annotations

import ast
import json
import shutil
from pathlib import Path

from common import ROOT, Student

ANSWER = "# answer: "  # the first line of every answer cell, which survives both tools' release

# The test data of each notebook, in a given cell after its imports (otter runs each test case
# in its own copy of the notebook's names, so a case sees these but not another case's).
DATA = {
    "perceptron": "X = np.array([[1.0, 2.0], [3.0, -1.0]])\nw = np.array([0.5, -1.0])\n"
                  "Xa = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])\nya = np.array([0, 0, 0, 1])",
    "activations": "zs = np.linspace(-5.0, 5.0, 11)",
    "gradient_descent": "Xg = np.array([[1.0, 2.0], [2.0, 0.5], [3.0, 1.0]])\nyg = np.array([1.0, 2.0, 2.5])\n"
                        "wg = np.array([0.2, -0.1])\nbg = 0.3",
    "mlp": "Xm = np.random.default_rng(0).normal(size=(6, 4))\nym = np.array([0, 1, 2, 0, 1, 2])\n"
           "dout = np.random.default_rng(1).normal(size=(6, 5))\nrng = np.random.default_rng(0)\n"
           "Xb = np.vstack([rng.normal(c, 0.5, size=(60, 2)) for c in ([0.0, 0.0], [3.0, 3.0], [0.0, 3.0])])\n"
           "yb = np.repeat([0, 1, 2], 60)",
    "keras_model": "imgs = np.arange(128).reshape(2, 8, 8) % 17",
}

# assignment -> [(function, public asserts, hidden asserts)]; a function of None is a given cell.
# A hidden case may use what its public case defines: otter's hidden case repeats the public one.
TESTS: dict[str, list[tuple[str | None, str, str]]] = {
    "perceptron": [
        ("net_input", "assert np.allclose(net_input(X, w, 0.5), [-1.0, 3.0])",
         "assert np.ndim(net_input(X[0], w, 0.5)) == 0\nassert np.isclose(net_input(X[0], w, 0.5), -1.0)"),
        ("step", "assert np.array_equal(step(np.array([-2.0, 0.0, 3.0])), [0, 1, 1])",
         "assert np.shape(step(np.zeros((2, 3)))) == (2, 3)\nassert np.array_equal(step(np.array([-1e-9, 1e-9])), [0, 1])"),
        ("predict", "assert np.array_equal(predict(X, w, 0.5), [0, 1])",
         "assert np.array_equal(predict(X, -w, -0.5), [1, 0])"),
        ("perceptron_update", "w1, b1 = perceptron_update(np.zeros(2), 0.0, np.array([1.0, 2.0]), 0, 0.1)\n"
                              "assert np.allclose(w1, [-0.1, -0.2]) and np.isclose(b1, -0.1)",
         "w2, b2 = perceptron_update(np.array([1.0, 1.0]), 0.0, np.array([1.0, 2.0]), 1, 0.1)\n"
         "assert np.allclose(w2, [1.0, 1.0]) and b2 == 0\n"
         "w0 = np.zeros(2)\nw3, b3 = perceptron_update(w0, 0.0, np.array([1.0, 2.0]), 0, 0.5)\n"
         "assert not w0.any() and np.allclose(w3, [-0.5, -1.0])"),
        ("train_perceptron", "wa, ba, errs = train_perceptron(Xa, ya, eta=0.1, epochs=10)\n"
                             "assert len(errs) == 10 and errs[-1] == 0",
         "assert np.array_equal(predict(Xa, wa, ba), ya)\nassert errs[0] > 0\n"
         "assert len(train_perceptron(Xa, ya, epochs=3)[2]) == 3"),
    ],
    "activations": [
        ("sigmoid", "assert np.allclose(sigmoid(zs), 1 / (1 + np.exp(-zs)))",
         "assert np.allclose(sigmoid(np.array([-1e4, 1e4])), [0.0, 1.0])\nassert np.isclose(sigmoid(0.0), 0.5)\n"
         "assert sigmoid(np.zeros((2, 3))).shape == (2, 3)"),
        ("sigmoid_grad", "assert np.allclose(sigmoid_grad(zs), (sigmoid(zs + 1e-6) - sigmoid(zs - 1e-6)) / 2e-6, atol=1e-6)",
         "assert np.allclose(sigmoid_grad(np.array([-1e4, 1e4])), 0.0)\nassert np.isclose(sigmoid_grad(0.0), 0.25)"),
        ("tanh", "assert np.allclose(tanh(zs), np.tanh(zs))",
         "assert np.allclose(tanh(np.array([-1e4, 1e4])), [-1.0, 1.0])"),
        ("tanh_grad", "assert np.allclose(tanh_grad(zs), (np.tanh(zs + 1e-6) - np.tanh(zs - 1e-6)) / 2e-6, atol=1e-6)",
         "assert np.allclose(tanh_grad(np.array([-1e4, 1e4])), 0.0)"),
        ("relu", "assert np.array_equal(relu(np.array([-2.0, 0.0, 3.0])), [0.0, 0.0, 3.0])",
         "assert relu(np.ones((2, 3))).shape == (2, 3)\nassert np.allclose(relu(np.array([-1e4, 1e4])), [0.0, 1e4])"),
        ("relu_grad", "assert np.array_equal(relu_grad(np.array([-2.0, 0.0, 3.0])), [0.0, 0.0, 1.0])",
         "assert relu_grad(np.ones((2, 3))).shape == (2, 3)"),
        ("softmax", "p = softmax(np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]]))\n"
                    "assert np.allclose(p.sum(axis=1), 1.0) and np.allclose(p[1], 1 / 3)",
         "assert np.allclose(softmax(np.array([1000.0, 1000.0])), [0.5, 0.5])\n"
         "assert np.allclose(p[0], np.exp([1.0, 2.0, 3.0]) / np.exp([1.0, 2.0, 3.0]).sum())"),
    ],
    "gradient_descent": [
        ("sse_cost", "assert np.isclose(sse_cost(wg, bg, Xg, yg), 0.5 * np.sum((yg - Xg @ wg - bg) ** 2))",
         "assert np.isclose(sse_cost(np.zeros(2), 0.0, Xg, yg), 5.625)"),
        ("sse_gradient", "dw, db = sse_gradient(wg, bg, Xg, yg)\n"
                         "assert np.allclose(dw, [(sse_cost(wg + h, bg, Xg, yg) - sse_cost(wg - h, bg, Xg, yg)) / 2e-5 "
                         "for h in np.eye(2) * 1e-5])",
         "assert np.allclose(dw, -Xg.T @ (yg - Xg @ wg - bg))\nassert np.isclose(db, -np.sum(yg - Xg @ wg - bg))"),
        ("gradient_descent_step", "w1, b1 = gradient_descent_step(wg, bg, np.array([1.0, -2.0]), 0.5, 0.1)\n"
                                  "assert np.allclose(w1, [0.1, 0.1]) and np.isclose(b1, 0.25)",
         "assert np.allclose(wg, [0.2, -0.1])"),
        ("train_adaline", "wa, ba, costs = train_adaline(Xg, yg, eta=0.01, epochs=50)\n"
                          "assert len(costs) == 50 and costs[-1] < costs[0]",
         "assert np.isclose(costs[0], 5.625)\nassert np.all(np.diff(costs) <= 1e-12)"),
    ],
    "mlp": [
        ("init_params", "P0 = init_params([4, 5, 3], seed=0)\nassert sorted(P0) == ['W1', 'W2', 'b1', 'b2']\n"
                        "assert P0['W1'].shape == (4, 5) and P0['b2'].shape == (3,) and not P0['b1'].any()",
         "assert abs(init_params([400, 300])['W1'].std() - np.sqrt(2 / 400)) < 0.005\n"
         "assert np.array_equal(init_params([4, 5, 3], seed=3)['W1'], init_params([4, 5, 3], seed=3)['W1'])"),
        ("affine_forward", "P0 = init_params([4, 5, 3], seed=0)\n"
                           "assert np.allclose(affine_forward(Xm, P0['W1'], P0['b1']), Xm @ P0['W1'] + P0['b1'])",
         "assert affine_forward(Xm[:1], P0['W1'], P0['b1']).shape == (1, 5)"),
        ("affine_backward", "P0 = init_params([4, 5, 3], seed=0)\n"
                            "dX, dW, db = affine_backward(dout, Xm, P0['W1'])\nassert np.allclose(dX, dout @ P0['W1'].T)",
         "assert np.allclose(dW, Xm.T @ dout) and np.allclose(db, dout.sum(axis=0))"),
        ("forward", "P0 = init_params([4, 5, 3], seed=0)\nprobs, cache = forward(P0, Xm)\nassert probs.shape == (6, 3) and np.allclose(probs.sum(axis=1), 1.0)",
         "H = np.maximum(0, Xm @ P0['W1'] + P0['b1'])\nS = np.exp(H @ P0['W2'] + P0['b2'])\n"
         "assert np.allclose(probs, S / S.sum(axis=1, keepdims=True))\n"
         "T = np.exp(np.tanh(Xm @ P0['W1'] + P0['b1']) @ P0['W2'] + P0['b2'])\n"
         "assert np.allclose(forward(P0, Xm, activation='tanh')[0], T / T.sum(axis=1, keepdims=True))"),
        ("cross_entropy_loss", "probs = forward(init_params([4, 5, 3], seed=0), Xm)[0]\nassert np.isclose(cross_entropy_loss(probs, ym), -np.mean(np.log(probs[np.arange(6), ym])))",
         "assert np.isclose(cross_entropy_loss(np.full((2, 4), 0.25), np.array([0, 3])), np.log(4))"),
        ("loss_and_grads", "P0 = init_params([4, 5, 3], seed=0)\nloss, grads = loss_and_grads(P0, Xm, ym, reg=0.1)\n"
                           "assert sorted(grads) == sorted(P0) and all(grads[k].shape == P0[k].shape for k in P0)",
         "E = lambda k, i, h, act: loss_and_grads({**P0, k: P0[k] + h * np.eye(P0[k].size)[i].reshape(P0[k].shape)}, "
         "Xm, ym, reg=0.1, activation=act)[0]\n"
         "assert all(np.allclose(loss_and_grads(P0, Xm, ym, reg=0.1, activation=act)[1][k].ravel(), "
         "[(E(k, i, 1e-5, act) - E(k, i, -1e-5, act)) / 2e-5 for i in range(P0[k].size)], atol=1e-6) "
         "for k in P0 for act in ('relu', 'tanh', 'sigmoid'))\n"
         "assert np.isclose(loss, cross_entropy_loss(forward(P0, Xm)[0], ym) + 0.05 * sum(np.sum(P0[k] ** 2) for k in ('W1', 'W2')))"),
        ("numerical_gradient", "xq = np.array([1.0, -2.0, 0.5])\ngq = numerical_gradient(lambda: np.sum(xq ** 3), xq)\n"
                               "assert np.allclose(gq, 3 * xq ** 2, atol=1e-4)",
         "assert np.array_equal(xq, [1.0, -2.0, 0.5])\nassert gq.shape == xq.shape"),
        ("sgd_step", "P0 = init_params([4, 5, 3], seed=0)\nPs = sgd_step(P0, {k: np.ones_like(v) for k, v in P0.items()}, 0.1)\n"
                     "assert all(np.allclose(Ps[k], P0[k] - 0.1) for k in P0)",
         "assert sorted(Ps) == sorted(P0) and not P0['b1'].any()"),
        ("train_mlp", "Pt, losses = train_mlp(Xb, yb, [16], lr=0.1, epochs=30, seed=0)\n"
                      "assert len(losses) == 30 and losses[-1] < losses[0]",
         "assert np.mean(np.argmax(forward(Pt, Xb)[0], axis=1) == yb) > 0.9"),
    ],
    "keras_model": [
        ("preprocess", "assert preprocess(imgs).dtype == np.float32 and np.allclose(preprocess(imgs), imgs / 16)",
         "assert preprocess(imgs).shape == (2, 8, 8) and preprocess(imgs).max() <= 1.0"),
        ("build_model", "m = build_model()\n"
                        "assert [type(layer).__name__ for layer in m.layers] == ['Flatten', 'Dense', 'Dense']\n"
                        "assert m.count_params() == 64 * 64 + 64 + 64 * 10 + 10",
         "assert m.layers[1].activation.__name__ == 'relu' and m.layers[-1].activation.__name__ == 'softmax'\n"
         "assert [layer.units for layer in build_model(hidden_units=(32, 16)).layers[1:]] == [32, 16, 10]\n"
         "assert m.loss == 'sparse_categorical_crossentropy' and type(m.optimizer).__name__ == 'Adam'"),
        ("train_model", "", ""),
        ("predict_classes", "", ""),
        (None, "from sklearn.datasets import load_digits\n\ndigits = load_digits()\n"
               "order = np.random.default_rng(0).permutation(len(digits.target))\ncut = int(0.75 * len(order))\n"
               "X_train, y_train = preprocess(digits.images[order[:cut]]), digits.target[order[:cut]]\n"
               "X_test, y_test = preprocess(digits.images[order[cut:]]), digits.target[order[cut:]]\n"
               "keras.utils.set_random_seed(0)\nmodel = build_model()\n"
               "history = train_model(model, X_train, y_train, epochs=5)", ""),
        ("training", "assert 'val_loss' in history.history and len(history.history['loss']) == 5",
         "predicted = predict_classes(model, X_test)\nassert predicted.shape == y_test.shape\n"
         "assert np.mean(predicted == y_test) >= 0.77"),
    ],
}


def answers(source: str, assignment: str) -> dict[str, str]:
    """A module's code by answer cell: its functions each on their own, the rest under `_setup`."""
    tree = ast.parse(source)
    lines = source.splitlines()
    functions = {f for f, *_ in TESTS[assignment] if f}
    cells: dict[str, str] = {}
    setup = []
    for node in tree.body:
        start = (node.decorator_list[0] if getattr(node, "decorator_list", None) else node).lineno
        text = "\n".join(lines[start - 1:node.end_lineno])
        if isinstance(node, ast.FunctionDef) and node.name in functions:
            cells[node.name] = text
        elif isinstance(node, ast.ImportFrom) and node.module == "activations":
            continue  # the notebook has the student's activation functions in a cell instead
        elif not (isinstance(node, ast.Expr) and isinstance(getattr(node, "value", None), ast.Constant)):
            setup.append(text)  # imports, helpers, constants; not the module's docstring
    cells["_setup"] = "\n\n".join(setup)
    return cells


def student_answers(student: Student, assignment: str) -> dict[str, str]:
    from conftest import patched_source

    cells = answers(patched_source(assignment, student.edits.get(assignment, [])), assignment)
    if assignment == "mlp":
        own = answers(patched_source("activations", student.edits.get("activations", [])), "activations")
        cells["_activations"] = "\n\n\n".join(own[k] for k in ("_setup", *[f for f, *_ in TESTS["activations"]]))
    return cells


def answer_keys(assignment: str) -> list[str]:
    keys = ["_setup"] + (["_activations"] if assignment == "mlp" else [])
    return keys + [f for f, public, _ in TESTS[assignment] if f and f != "training"]


# -- nbgrader ---------------------------------------------------------------------------
NBGRADER_CONFIG = '''c = get_config()  # noqa: F821
c.CourseDirectory.course_id = "native"
c.Execute.timeout = 900
'''


def _nbgrader_meta(cell_id: str, *, solution: bool = False, grade: bool = False, points: float | None = None) -> dict:
    data = {"grade": grade, "grade_id": cell_id, "locked": not solution, "schema_version": 3, "solution": solution,
            "task": False}
    if points is not None:
        data["points"] = points
    return {"nbgrader": data}


def nbgrader_source(assignment: str) -> dict:
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    reference = student_answers(Student("reference", "correct", "reference"), assignment)
    cells = [new_markdown_cell(f"# {assignment}"), new_code_cell("import numpy as np", metadata=_nbgrader_meta("setup")),
             new_code_cell(DATA[assignment], metadata=_nbgrader_meta("data"))]
    tests = {f: (public, hidden) for f, public, hidden in TESTS[assignment] if f}
    for key in answer_keys(assignment):
        cells.append(new_markdown_cell(f"Implement `{key}`." if not key.startswith("_") else "Your imports and helpers."))
        cells.append(new_code_cell(f"{ANSWER}{key}\n### BEGIN SOLUTION\n{reference[key]}\n### END SOLUTION",
                                   metadata=_nbgrader_meta(f"answer_{key}", solution=True)))
        if tests.get(key, ("", ""))[0]:
            cells.append(_nbgrader_test(key, *tests[key]))
    for function, public, hidden in TESTS[assignment]:
        if function is None:
            cells.append(new_code_cell(public, metadata=_nbgrader_meta("given")))
        elif function == "training":
            cells.append(_nbgrader_test(function, public, hidden))
    return new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                              "language": "python"}})


def _nbgrader_test(key: str, public: str, hidden: str):
    from nbformat.v4 import new_code_cell

    return new_code_cell(f"{public}\n### BEGIN HIDDEN TESTS\n{hidden}\n### END HIDDEN TESTS",
                         metadata=_nbgrader_meta(f"test_{key}", grade=True, points=2))


# -- otter -------------------------------------------------------------------------------
OTTER_CONFIG = """# ASSIGNMENT CONFIG
name: {name}
init_cell: true
check_all_cell: false
export_cell: false
run_tests: true
generate: true"""

HIDDEN_CASE = '""" # BEGIN TEST CONFIG\nhidden: true\n""" # END TEST CONFIG\n'


def otter_master(assignment: str) -> dict:
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_raw_cell

    reference = student_answers(Student("reference", "correct", "reference"), assignment)
    cells = [new_raw_cell(OTTER_CONFIG.format(name=assignment)), new_markdown_cell(f"# {assignment}"),
             new_code_cell("import numpy as np"), new_code_cell(DATA[assignment])]
    tests = {f: (public, hidden) for f, public, hidden in TESTS[assignment] if f}

    def question(key: str, answer: str | None) -> list:
        public, hidden = tests[key]
        body = [new_raw_cell(f"# BEGIN QUESTION\nname: {key}\npoints: 2"), new_markdown_cell(f"Implement `{key}`.")]
        if answer is not None:
            body += [new_raw_cell("# BEGIN SOLUTION"), new_code_cell(answer), new_raw_cell("# END SOLUTION")]
        return [*body, new_raw_cell("# BEGIN TESTS"), new_code_cell(public), new_code_cell(f"{HIDDEN_CASE}{public}\n{hidden}"),
                new_raw_cell("# END TESTS"), new_raw_cell("# END QUESTION")]

    for key in answer_keys(assignment):
        answer = f"{ANSWER}{key}\n# BEGIN SOLUTION\n{reference[key]}\n# END SOLUTION"
        if tests.get(key, ("", ""))[0]:
            cells.extend(question(key, answer))
        else:
            cells += [new_markdown_cell("Your code."), new_code_cell(answer)]
    for function, public, _ in TESTS[assignment]:
        if function is None:
            cells.append(new_code_cell(public))
        elif function == "training":
            cells.extend(question(function, None))
    return new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                              "language": "python"}})


# -- students ------------------------------------------------------------------------------
def fill(released: Path, assignment: str, student: Student, out: Path) -> Path:
    """The released notebook with every answer cell holding the student's code for it."""
    notebook = json.loads(released.read_text())
    code = student_answers(student, assignment)
    filled = set()
    for cell in notebook["cells"]:
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if cell["cell_type"] == "code" and source.startswith(ANSWER):
            key = source.splitlines()[0][len(ANSWER):].strip()
            cell["source"] = f"{ANSWER}{key}\n{code[key]}"
            filled.add(key)
    missing = set(answer_keys(assignment)) - filled
    assert not missing, f"{released} has no answer cell for {sorted(missing)}"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(notebook, indent=1))
    return out


class Native:
    """The native otter and nbgrader assignments built in `work`, and each student's notebooks for them."""

    def __init__(self, work: Path, run_checked) -> None:
        import nbformat

        from common import BIN
        from conftest import ASSIGNMENTS

        self.work, self.assignments = work, list(ASSIGNMENTS)
        otter_root, nbgrader_root = work / "native-otter", work / "native-nbgrader"
        if not (otter_root / "done").exists():
            shutil.rmtree(otter_root, ignore_errors=True)
            for assignment in self.assignments:
                folder = otter_root / assignment
                folder.mkdir(parents=True)
                nbformat.write(nbformat.from_dict(otter_master(assignment)), str(folder / f"{assignment}.ipynb"))
                print(f"otter assign {assignment} (native) ...", flush=True)
                run_checked([str(BIN / "otter"), "assign", f"{assignment}.ipynb", "dist"], cwd=folder)
            (otter_root / "done").touch()
        if not (nbgrader_root / "done").exists():
            shutil.rmtree(nbgrader_root, ignore_errors=True)
            nbgrader_root.mkdir(parents=True)
            (nbgrader_root / "nbgrader_config.py").write_text(
                NBGRADER_CONFIG)
            for assignment in self.assignments:
                path = nbgrader_root / "source" / assignment / f"{assignment}.ipynb"
                path.parent.mkdir(parents=True)
                nbformat.write(nbformat.from_dict(nbgrader_source(assignment)), str(path))
                run_checked([str(BIN / "nbgrader"), "generate_assignment", assignment, "--force"], cwd=nbgrader_root)
            (nbgrader_root / "done").touch()
        self.otter_root, self.nbgrader_root = otter_root, nbgrader_root
        self.otter_zip = {a: next((otter_root / a / "dist" / "autograder").glob("*.zip")) for a in self.assignments}

    def write(self, student: Student, root: Path) -> None:
        for assignment in self.assignments:
            fill(self.otter_root / assignment / "dist" / "student" / f"{assignment}.ipynb", assignment, student,
                 root / "native-otter" / student.id / f"{assignment}.ipynb")
            fill(self.nbgrader_root / "release" / assignment / f"{assignment}.ipynb", assignment, student,
                 root / "native-nbgrader" / student.id / assignment / f"{assignment}.ipynb")


if __name__ == "__main__":  # builds the assignments and one correct student, for a look
    import os
    import subprocess
    import sys

    from common import BIN

    def _run(argv, cwd=None):
        subprocess.run(argv, cwd=cwd, check=True, env={**os.environ, "PATH": f"{BIN}:{os.environ['PATH']}"})

    where = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/autograder-native")
    native = Native(where, _run)
    native.write(Student("s000", "correct", "reference"), where / "class")
    print(f"written under {where} (from {ROOT})")
