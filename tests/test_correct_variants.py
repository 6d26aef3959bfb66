"""Correct implementations written differently from the reference must get full marks (under\nevery grading seed of the suite)."""
from __future__ import annotations

import pytest

from autograder.authoring.derived import DERIVATIONS, derive
from autograder.authoring.inputs import variants
from conftest import COURSE, ROOT, failed_tests

ALICE = ROOT / "examples" / "submissions" / "alice"

# The bundled course's graders/variants/<assignment>/*.py, which `autograder validate` grades too,
# and the example student who does everything right in styles of her own.
VARIANTS = [(v.assignment, v.description, v.source) for name in COURSE.names for v in variants(COURSE, name)] + [
    ("perceptron", "np.dot, astype(int), index loop (the alice example)", (ALICE / "perceptron.py").read_text()),
    ("activations", "sigmoid through tanh (the alice example)", (ALICE / "activations.py").read_text()),
    ("mlp", "if/elif activations, cache dict, np.ndindex (the alice example)", (ALICE / "mlp.py").read_text()),
    ("keras_model", "layer objects, loss object, model(X) (the alice example)", (ALICE / "keras_model.py").read_text()),
]

# What `autograder validate` derives from every reference: in float32, with Python or numpy
# scalars, with matrix products as loops (where the reference has any).
DERIVED = [(name, f"derived {how.id}: {how.description}", derive(reference, COURSE[name].functions, how))
           for name in COURSE.names
           for reference in [COURSE.reference_file(name).read_text(encoding="utf-8")]
           for how in DERIVATIONS if how.applies(reference)]


@pytest.mark.parametrize("module,style,source", VARIANTS + DERIVED, ids=[f"{m}: {s}" for m, s, _ in VARIANTS + DERIVED])
def test_correct_variant_gets_full_marks(module, style, source, grade_files):
    result = grade_files({f"{module}.py": source}, [module])
    assert failed_tests(result) == {}
    assert result.score == result.max_score > 0


def test_at_least_fifteen_variants():
    assert len(VARIANTS) >= 15


def test_every_reference_is_derived_in_float32_and_the_numpy_ones_with_loops():
    derived = {(module, style.split(":")[0]) for module, style, _ in DERIVED}
    assert {(name, "derived float32") for name in COURSE.names} <= derived
    assert {(name, "derived loops") for name in ("perceptron", "gradient_descent", "mlp")} <= derived
    assert not {name for name, how in derived if how == "derived loops"} & {"activations", "keras_model"}


def test_reference_is_not_among_the_variants():
    """Each variant really differs from the reference (a copy would prove nothing)."""
    from conftest import SOLUTIONS

    for module, _, source in VARIANTS:
        assert source.strip() != (SOLUTIONS / f"{module}.py").read_text().strip()
