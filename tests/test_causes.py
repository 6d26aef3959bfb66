"""A cause is named only when all the evidence agrees with it: the pieces that decide that,
each tried on the evidence that used to mislead it, and the root causes a report opens with."""
from __future__ import annotations

import io

import numpy as np
from rich.console import Console

from autograder.checks.diagnosis import agreeing, diagnose, either, nonzero_start, what_is_right
from autograder.grading import roots
from autograder.render import feedback
from autograder.render.terminal import print_feedback, start_with
from autograder.results import model
from conftest import failed_tests, patched_source

AssignmentResult, SubmissionResult = model.AssignmentResult, model.SubmissionResult

X = np.array([[1.0, 2.0], [-1.0, 0.5], [2.0, -1.0]])
Y = np.array([1, 0, 1])


def training(start=0.0, use_eta=True, use_epochs=True):
    """A perceptron-like training loop with the named parts honoured or not."""
    def train(X, y, eta=0.1, epochs=10):
        w, b, errors = np.full(X.shape[1], start), start, []
        for _ in range(epochs if use_epochs else 10):
            mistakes = 0
            for x, target in zip(X, y):
                error = target - int(x @ w + b >= 0)
                mistakes += error != 0
                step = eta if use_eta else 1.0
                w, b = w + step * error * x, b + step * error
            errors.append(mistakes)
        return w, b, errors
    return train


def test_a_start_away_from_zero_is_named_only_by_a_run_that_shows_it():
    assert "do not start from zero" in nonzero_start(training(start=0.5), X, Y)
    assert nonzero_start(training(), X, Y) == ""
    assert nonzero_start(training(use_eta=False), X, Y) == ""  # an ignored eta moves the weights at eta = 0
    assert nonzero_start(training(start=0.5, use_epochs=False), X, Y) == ""  # no empty record: no evidence


def test_a_mistake_is_named_only_when_every_output_agrees():
    right = (np.array([1.0, 2.0]), 0.5, [3, 1, 0])
    mistakes = {"A": (np.array([1.0, 2.0]), 0.5, [3, 2, 0]),  # same weights, other counts
                "B": (np.array([2.0, 2.0]), 0.5, [3, 1, 0])}  # same counts, other weights
    assert agreeing(mistakes, right) == {}
    assert list(agreeing(mistakes, (np.array([1.0, 2.0]), 0.5, [3, 2, 0]))) == ["A"]
    assert agreeing(mistakes, (np.array([1.0, 2.0]), 0.5)) == {}  # a missing output agrees with nothing


def test_two_causes_that_fit_are_both_said():
    assert either([]) == "" and either(["it is A."]) == "it is A."
    both = either(["it is A.", "it is B."])
    assert both.startswith("2 known mistakes fit everything that came back") and "(1) it is A." in both
    assert "(2) it is B." in both


def test_copies_of_one_number_are_no_evidence_of_a_factor():
    """errors [1, 1, 0] against [3, 3, 0] fit a factor 1/3, as any one number fits some factor:
    seen on an error count that was wrong for another reason. Only a factor the grader knows may
    be named there; two different numbers scaled alike are evidence."""
    counted, right = np.array([1.0, 1.0, 0.0, 0.0]), np.array([3.0, 3.0, 0.0, 0.0])
    assert diagnose(counted, right, {}) == diagnose(-right, right, {}) == ""
    assert diagnose(counted, right, {1 / 3: "a third of the samples are counted."}).endswith("a third of the "
                                                                                              "samples are counted.")
    assert "constant factor of 1/3" in diagnose(np.array([1.0, 2.0, 0.0]), np.array([3.0, 6.0, 0.0]), {})
    assert diagnose(np.array([1.0, -2.0]), np.array([-1.0, 2.0]), {}).startswith("the sign is flipped")


def test_what_is_known_when_no_cause_fits():
    known = what_is_right({"w": ([1.0, 2.0], [1.0, 2.0]), "b": (0.5, 0.5), "errors": ([3, 1, 2], [3, 1, 0])},
                          position="epoch")
    assert known == "w and b are right; only errors differs, from epoch 2."
    assert what_is_right({"w": ([1.0], [2.0]), "b": (1.0, 2.0)}) == ""  # nothing right: nothing to add
    assert what_is_right({"w": ([1.0], [1.0]), "b": (1.0, 1.0)}) == ""  # nothing wrong either


def result(*tests: tuple[str, tuple[str, ...], str, str]) -> AssignmentResult:
    """tests: (name, functions, status, visibility)."""
    return AssignmentResult("perceptron", [
        model.TestResult(name=name, score=0.0 if status != "passed" else 1.0, max_score=1.0, status=status,
                   visibility=visibility, feedback="" if status == "passed" else f"{name} is wrong.",
                   nodeid=f"test_perceptron.py::{name}", functions=functions)
        for name, functions, status, visibility in tests])


DEPENDS = {"predict": ("net_input", "step"), "perceptron_update": ("predict",),
           "train_perceptron": ("perceptron_update",)}
ORDER = ("net_input", "step", "predict", "perceptron_update", "train_perceptron")


def test_a_failure_that_builds_on_a_failing_function_names_the_deepest_first():
    assignment = result(("test_net_input", ("net_input",), "failed", "visible"),
                        ("test_step", ("step",), "passed", "visible"),
                        ("test_predict", ("predict",), "failed", "visible"),
                        ("test_train", ("train_perceptron",), "failed", "visible"))
    roots.trace(assignment, DEPENDS, ORDER)
    net_input, _, predict, train = assignment.tests
    assert net_input.follows == () and net_input.feedback == "test_net_input is wrong."
    assert predict.follows == ("net_input",) and train.follows == ("net_input",)  # not predict: it builds on net_input
    assert predict.feedback.startswith("Fix net_input first: predict builds on it, and its own test fails.")
    assert predict.feedback.endswith("\ntest_predict is wrong.")  # the test's own evidence is kept, after
    assert assignment.roots == ["net_input"]
    assert start_with(assignment).startswith("Start with net_input: other failing tests build on it")


def test_two_independent_roots_are_both_named():
    assignment = result(("test_net_input", ("net_input",), "failed", "visible"),
                        ("test_step", ("step",), "failed", "visible"),
                        ("test_predict", ("predict",), "failed", "visible"))
    roots.trace(assignment, DEPENDS, ORDER)
    assert assignment.tests[2].follows == ("net_input", "step")
    assert assignment.tests[2].feedback.startswith("Fix net_input and step first: predict builds on them, and "
                                                   "their own tests fail.")


def test_only_a_test_of_one_function_shows_that_it_fails():
    """A failing test of several functions does not say which of them is wrong."""
    assignment = result(("test_unchanged", ("predict", "perceptron_update"), "failed", "visible"),
                        ("test_train", ("train_perceptron",), "failed", "visible"))
    roots.trace(assignment, DEPENDS, ORDER)
    assert all(t.follows == () for t in assignment.tests)


def test_a_visible_test_never_gives_away_a_hidden_outcome():
    assignment = result(("test_net_input", ("net_input",), "failed", "hidden"),
                        ("test_predict", ("predict",), "failed", "visible"),
                        ("test_train", ("train_perceptron",), "failed", "hidden"))
    roots.trace(assignment, DEPENDS, ORDER)
    assert assignment.tests[1].follows == () and "net_input" not in assignment.tests[1].feedback
    assert assignment.tests[2].follows == ("net_input",)


def test_the_report_opens_with_the_root_causes_and_the_record_keeps_them():
    assignment = result(("test_net_input", ("net_input",), "failed", "visible"),
                        ("test_predict", ("predict",), "failed", "visible"))
    roots.trace(assignment, DEPENDS, ORDER)
    submission = SubmissionResult(submission="alice", assignments={"perceptron": assignment})
    out = io.StringIO()
    print_feedback(Console(file=out, width=200, color_system=None), submission)
    lines = [line.strip() for line in out.getvalue().splitlines() if line.strip()]
    assert lines[1].startswith("Start with net_input") and lines[2].endswith("test_net_input")
    assert "<strong>Start with net_input" in feedback.html(submission)
    again = SubmissionResult.from_dict(submission.to_dict())
    assert again.assignments["perceptron"].tests[1].follows == ("net_input",)
    assert again.assignments["perceptron"].tests[1].functions == ("predict",)


# --- graded end to end --------------------------------------------------------------------

def test_a_downstream_test_points_at_the_upstream_bug_not_at_itself(grade_files):
    """net_input drops the bias: the update is right for the prediction it was given."""
    result = grade_files({"perceptron.py": patched_source("perceptron", [("return X @ w + b", "return X @ w")])},
                         ["perceptron"])
    update = failed_tests(result)["test_perceptron_update"]
    assert update.startswith("Fix net_input first: perceptron_update builds on it")
    assert "your predict gives 1 for this sample, which is wrong, and perceptron_update follows that" in update
    assert "w changed although the prediction was right" not in update
    assert failed_tests(result)["test_train_perceptron"].startswith("Fix net_input first")


def test_the_overflow_is_placed_where_it_happens(grade_files):
    positive = patched_source("activations", [(
        "    e = np.exp(-np.abs(z))  # in (0, 1]: safe for any z\n"
        "    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))",
        "    return np.where(z >= 0, 1.0 / (1.0 + np.exp(z)), np.exp(z) / (1.0 + np.exp(z)))")])
    naive = patched_source("activations", [(
        "    e = np.exp(-np.abs(z))  # in (0, 1]: safe for any z\n"
        "    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))", "    return 1.0 / (1.0 + np.exp(-z))")])
    said = {}
    for name, source in (("positive", positive), ("naive", naive)):
        said[name] = failed_tests(grade_files({"activations.py": source}, ["activations"]))["test_sigmoid_is_stable"]
    assert "overflows for large positive z" in said["positive"] and "negative" not in said["positive"]
    assert "np.exp(-z) overflows for large negative z" in said["naive"]


def test_hidden_feedback_that_prints_an_expected_value_is_caught():
    from autograder.authoring.validate import hidden_leaks

    def test(name, visibility, feedback):
        return model.TestResult(name=name, score=0.0, max_score=1.0, status="failed", visibility=visibility,
                                feedback=feedback, nodeid=f"test_gd.py::{name}")
    assignment = AssignmentResult("gd", [
        test("test_cost", "hidden", "Your cost is wrong: it is 21.9908 where the correct cost is 10.9954."),
        test("test_loss", "hidden", "off by 11 (100% of the right value)"),  # error sizes, to 3 digits
        test("test_visible", "visible", "Got 21.9908, expected 10.9954.")])
    records = [{"test": "test_cost", "expected": (10.995412,)}, {"test": "test_loss", "expected": (10.995412,)},
               {"test": "test_visible", "expected": (10.995412,)}]
    assert hidden_leaks(assignment, records) == ["test_cost shows 10.9954"]


def test_not_implemented_is_blamed_on_the_function_that_raised_it():
    from autograder.sandbox.errors import StudentException

    frames = [{"file": "perceptron.py", "line": 22, "function": "perceptron_update", "code": "error = y - predict(x, w, b)"},
              {"file": "perceptron.py", "line": 14, "function": "predict", "code": "raise NotImplementedError"}]
    raised = {"type": "NotImplementedError", "raised_by_student": True}
    called = StudentException("perceptron_update", {**raised, "frames": frames})
    assert called.message.startswith("perceptron_update calls predict, which is not implemented yet")
    assert called.message.endswith("write predict first.") and called.raised_in == "predict"
    own = StudentException("predict", {**raised, "frames": frames[1:]})
    assert own.message == "predict is not implemented yet (it raises NotImplementedError)."
    library = StudentException("build_model", {"type": "NotImplementedError", "raised_by_student": False,
                                               "message": "Layer.call", "frames": frames[:1]})
    assert library.message.startswith("build_model raised NotImplementedError in a library it calls (at")
    assert library.raised_in == "build_model" and "not implemented yet" not in library.message


def test_a_failure_every_test_shares_is_one_cause_not_a_chain():
    assignment = result(("test_net_input", ("net_input",), "failed", "visible"),
                        ("test_predict", ("predict",), "failed", "visible"))
    for test in assignment.tests:
        test.feedback = "No perceptron.py was found in the submission."
    roots.trace(assignment, DEPENDS, ORDER)
    assert [t.follows for t in assignment.tests] == [(), ()] and start_with(assignment) == ""


def test_a_later_visible_failure_of_a_function_is_enough():
    assignment = result(("test_net_input_hidden", ("net_input",), "failed", "hidden"),
                        ("test_net_input", ("net_input",), "failed", "visible"),
                        ("test_predict", ("predict",), "failed", "visible"))
    roots.trace(assignment, DEPENDS, ORDER)
    assert assignment.tests[2].follows == ("net_input",)


def test_another_assignments_failing_function_is_a_root_only_where_it_is_imported(tmp_path):
    mlp = AssignmentResult("mlp", [model.TestResult(
        name="test_forward", score=0.0, max_score=1.0, status="failed", visibility="visible",
        feedback="probs is wrong.", nodeid="test_mlp.py::test_forward", functions=("forward",))])
    relu = model.TestResult(name="test_relu", score=0.0, max_score=1.0, status="failed", visibility="visible",
                            feedback="relu is wrong.", nodeid="test_activations.py::test_relu", functions=("relu",))
    activations = roots.failing(AssignmentResult("activations", [relu]))
    roots.trace(mlp, {"forward": ("affine_forward", "activations.relu")}, ("affine_forward", "forward"),
                elsewhere={"activations": activations})
    assert mlp.tests[0].follows == ("activations.relu",) and mlp.roots == ["activations.relu"]
    assert mlp.tests[0].feedback.startswith("Fix activations.relu first: forward builds on it")
    relu.visibility = "hidden"  # a visible test still gives away no hidden outcome
    mlp.tests[0].follows, mlp.tests[0].feedback = (), "probs is wrong."
    roots.trace(mlp, {"forward": ("activations.relu",)}, ("forward",), elsewhere={"activations": activations})
    assert mlp.tests[0].follows == ()
    (tmp_path / "mlp.py").write_text("import numpy as np\nfrom activations import relu\nimport os.path\n")
    (tmp_path / "own.py").write_text("import numpy as np\n\ndef relu(z):\n    return np.maximum(0, z)\n")
    (tmp_path / "broken.py").write_text("from activations import (\n")
    assert roots.imports(tmp_path / "mlp.py") == {"numpy", "activations", "os"}
    assert roots.imports(tmp_path / "own.py") == {"numpy"} and roots.imports(tmp_path / "broken.py") == set()
    assert roots.imports(tmp_path / "missing.py") == set()


def test_a_broken_activation_is_the_root_of_the_mlp_that_imports_it(grade_files):
    """The student's own relu returns |z|: the MLP tests that build on it say to fix it first, but
    not where the MLP module defines its own relu (nothing of it builds on activations.py)."""
    broken = patched_source("activations", [("    return np.maximum(0.0, z)", "    return np.abs(z)")])
    result = grade_files({"activations.py": broken}, ["activations", "mlp"])
    mlp = result.assignments["mlp"]
    forward = next(t for t in mlp.tests if t.nodeid.endswith("::test_forward"))
    assert forward.status == "failed" and forward.follows == ("activations.relu",)
    assert forward.feedback.startswith("Fix activations.relu first: forward builds on it, and its own test fails.")
    assert mlp.roots == ["activations.relu"] and result.assignments["activations"].roots == []
    own = patched_source("mlp", [("from activations import relu, relu_grad, sigmoid, sigmoid_grad, softmax, tanh, "
                                  "tanh_grad\n", "")]).replace("\n\ndef init_params", "\n\n" + broken.split(
                                      "import numpy as np", 1)[1] + "\n\ndef init_params", 1)
    alone = grade_files({"activations.py": broken, "mlp.py": own}, ["activations", "mlp"])
    tests = alone.assignments["mlp"].tests
    assert [(t.status, t.follows) for t in tests if t.nodeid.endswith("::test_forward")] == [("failed", ())]
    assert not [t for t in tests if any("." in f for f in t.follows) or "activations.relu" in t.feedback]


def test_a_broadcast_of_per_row_values_says_to_keep_the_axis_and_nothing_else_does():
    from autograder.sandbox.errors import StudentException

    def cause(message: str) -> str:
        return StudentException("softmax", {"type": "ValueError", "message": message, "frames": []}).cause

    per_row = "operands could not be broadcast together with shapes (5,4) (5,) "
    assert cause(per_row).startswith("an array with one value per row, of shape (5,), meets an array of shape (5, 4)")
    assert "keepdims=True" in cause(per_row) and cause("operands could not be broadcast together with shapes "
                                                       "(5,) (5,4) ") == cause(per_row)
    assert cause("operands could not be broadcast together with shapes (5,4) (3,) ") == ""  # not one per row
    assert cause("operands could not be broadcast together with shapes (5,4) (5,3) ") == ""


def test_a_grader_names_two_layers_that_meet_only_where_their_widths_say_which():
    import pytest

    from autograder.checks import explained, mixed_widths
    from autograder.sandbox.errors import StudentException

    def raised(message: str, widths: dict) -> StudentException:
        with pytest.raises(StudentException) as caught, explained(mixed_widths(widths)):
            raise StudentException("loss_and_grads", {"type": "ValueError", "message": message, "frames": []})
        return caught.value

    layers = {"the input": 4, "layer 1's output": 5, "layer 2's output": 3}
    mixed = raised("operands could not be broadcast together with shapes (6,5) (6,3) ", layers)
    assert mixed.cause.startswith("an array as wide as layer 1's output (5 columns) meets one as wide as layer 2's")
    assert mixed.message.startswith(f"Likely cause: {mixed.cause}\n\nloss_and_grads raised ValueError")
    assert raised("operands could not be broadcast together with shapes (6,4) (6,3) ",  # 3: the input or layer 2
                  {"the input": 3, "layer 1's output": 4, "layer 2's output": 3}).cause == ""
    assert raised("operands could not be broadcast together with shapes (6,5) (7,3) ", layers).cause == ""
    assert raised("operands could not be broadcast together with shapes (6,7) (6,3) ", layers).cause == ""
