"""Buggy versions of the reference, each a real student mistake: each must lose exactly
the tests it should, with feedback that names the cause. They are listed in the course's
graders/mutants/<assignment>.toml, where `autograder validate` finds them too; here each
runs under every grading seed of the suite."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from autograder.authoring.inputs import mutants
from autograder.authoring.inputs import unlisted as causes_unlisted
from autograder.authoring.validate import hidden_leaks
from autograder.checks.tolerance import recording
from conftest import ASSIGNMENTS, COURSE, failed_tests, patched_source


@dataclass(frozen=True)
class Mutant:
    """A mutant of the course's files, as these tests name it (by its description)."""

    id: str
    module: str
    replacements: tuple[tuple[str, str], ...]
    fails: frozenset[str]
    says: str  # a fragment the feedback of the first failing test must contain
    never: tuple[str, ...]  # false causes: fragments no test's feedback may contain
    lost: float  # the points this mistake costs, of the assignment's 10
    causes: tuple[str, ...] | None  # fragments: every cause any test states holds one of them
    # Tests whose outcome for this mistake depends on how a broken training run happens to go
    # under the grading seed: they may pass or fail, and cost their points only if they fail.
    unstable: frozenset[str] = frozenset()


# The bundled course's graders/mutants/*.toml, which `autograder validate` reads too: one list.
MUTANTS = [Mutant(m.description, COURSE[m.assignment].module, m.replace, m.fails, m.message, m.never, m.lost,
                  m.causes, m.unstable)
           for name in COURSE.names for m in mutants(COURSE, name)]


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.id for m in MUTANTS])
def test_mutant_loses_what_it_should(mutant, grade_files):
    source = patched_source(mutant.module, list(mutant.replacements))
    with recording() as records:
        result = grade_files({f"{mutant.module}.py": source}, [mutant.module])
    failed = failed_tests(result)
    assert set(failed) - mutant.unstable == mutant.fails, failed
    first = next(t for t in result.tests if t.status != "passed")
    assert mutant.says in first.feedback, first.feedback
    for test in result.tests:
        assert not [text for text in mutant.never if text in test.feedback], test.feedback
    assert unlisted(mutant, result) == []
    assert hidden_leaks(result.assignments[next(iter(result.assignments))], records) == []
    unstable_lost = sum(t.max_score for t in result.tests if t.status != "passed" and t.nodeid.split("::")[-1] in
                        mutant.unstable)
    assert result.max_score - result.score == pytest.approx(mutant.lost + unstable_lost)


def unlisted(mutant: Mutant, result) -> list[tuple[str, str]]:
    """(test, cause) for each cause the report states that the mutant's `causes` does not vouch for."""
    return [(t.nodeid.split("::")[-1], t.cause) for t in result.tests if causes_unlisted(mutant.causes or (), [t.cause])]


def test_every_mutant_says_which_causes_are_true_of_it():
    """So that no false cause goes unnoticed anywhere in a report: each cause that any test states,
    hidden or public, under any grading seed, holds one of the fragments its `causes` lists."""
    assert [m.id for m in MUTANTS if m.causes is None] == []


def test_at_least_sixty_mutants_and_five_per_assignment():
    
    assert len(MUTANTS) >= 60 and len({m.id for m in MUTANTS}) == len(MUTANTS)
    for assignment in ASSIGNMENTS:
        assert sum(m.module == assignment for m in MUTANTS) >= 5, assignment


def test_readme_states_the_counts_and_the_catch_rate():
    from conftest import ROOT
    from test_correct_variants import DERIVED, VARIANTS

    from autograder.authoring.inputs import variants

    readme = " ".join((ROOT / "README.md").read_text().split())
    caught = sum(m.lost > 0 for m in MUTANTS)
    assert f"**{len(MUTANTS)} buggy implementations**" in readme
    assert f"**All {caught} lose points (catch rate {100 * caught // len(MUTANTS)}%)**" in readme
    assert f"**{len(VARIANTS)} correct implementations in other styles**" in readme
    assert f"`causes = []` for the {sum(m.causes == () for m in MUTANTS)} mutants that no diagnosis fits" in readme
    assert f"the {len(DERIVED)} variants derived from the five references" in readme
    authored = sum(len(variants(COURSE, name)) for name in COURSE.names)  # what `validate` grades besides
    assert f"The bundled course's {len(MUTANTS)} mutants and {authored} variants are its inputs" in readme
    assert f"the public tests alone flag {PUBLIC_FLAGGED} of the {len(MUTANTS)} mutants" in readme
    assert f"{PUBLIC_EXPLAINED} of them with the cause" in readme


# Measured on the bundled course's 86 mutants: the public tests flag 76, and 72 of them with the
# cause (their first failure opens with it); the README states the figures.
PUBLIC_FLAGGED, PUBLIC_EXPLAINED = 76, 72


def test_the_public_checks_flag_three_in_four_mutants_before_the_deadline(grade_files):
    """What `autograder check` and the notebook checks run (no reference, no hidden test) finds
    most mistakes, and names their cause: each mutant graded with the public tests alone."""
    flagged, explained = [], []
    for mutant in MUTANTS:
        result = grade_files({f"{mutant.module}.py": patched_source(mutant.module, list(mutant.replacements))},
                             [mutant.module], suite="public")
        failed = [t for t in result.tests if t.status != "passed"]
        flagged += [mutant.id] if failed else []
        explained += [mutant.id] if failed and failed[0].cause else []
        for test in result.tests:
            assert not [text for text in mutant.never if text in test.feedback], test.feedback
        assert unlisted(mutant, result) == [], mutant.id
    assert len(flagged) == PUBLIC_FLAGGED, sorted(set(m.id for m in MUTANTS) - set(flagged))
    assert len(explained) == PUBLIC_EXPLAINED >= 0.75 * len(MUTANTS), sorted(set(flagged) - set(explained))
