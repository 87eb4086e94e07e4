"""Extract's estimate before a run: from the cells timed in this library, by the same model."""

from __future__ import annotations

from core.questionsets import Question, QuestionSet


def test_the_estimate_counts_only_the_current_models_cells(fake_library, fake_generator):
    list(fake_library.add_samples())
    qset = QuestionSet("opt", "Opt", (Question("optimizer", "Optimizer", "Which optimizer was used?"),))
    assert fake_library.extract_estimate(qset) == (3, None)  # nothing timed yet
    list(fake_library.extract(qset))  # the fake model answers the three papers
    todo, seconds = fake_library.extract_estimate(qset, force=True)
    assert todo == 3 and seconds is not None and seconds > 0
    assert fake_library.extract_estimate(qset) == (0, 0.0)  # all stored: nothing to compute

    fake_generator.name = "another-model.gguf"  # another model: its speed is not known yet
    assert fake_library.extract_estimate(qset, force=True) == (3, None)
    # evidence-only cells use no model: their timing does not depend on it
    list(fake_library.extract(qset, use_llm=False))
    assert fake_library.extract_estimate(qset, force=True, use_llm=False)[1] is not None
