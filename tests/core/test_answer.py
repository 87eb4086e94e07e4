from __future__ import annotations

from pathlib import Path

from core.answer import (
    NOT_REPORTED,
    Focus,
    build_messages,
    check_against,
    check_sentence,
    cites_of,
    ground,
    is_abstention,
    locate,
    split_sentences,
)
from core.types import Evidence

METHODS = (
    "The model was trained on a single NVIDIA RTX 3090 GPU with 24 GB of memory. "
    "Training used the Adam optimizer with a learning rate of 0.0003, a batch size of 64 "
    "and 40 epochs."
)
RESULTS = "The network reached 94.2% top-1 accuracy on the test sites."
PAGES = {("d1", 2): "2 Materials and Methods\n" + METHODS.replace("GPU with", "GPU\nwith"),
         ("d1", 3): "3 Results\n" + RESULTS}


def ev(n: int, text: str, page: int) -> Evidence:
    return Evidence(n, "d1", "Camera traps", Path("/x.pdf"), page, page, "methods", text, 1.0)


EVIDENCE = [ev(1, METHODS, 2), ev(2, RESULTS, 3)]


def page_text(doc_id: str, page: int) -> str | None:
    return PAGES.get((doc_id, page))


def test_split_sentences_keeps_citations_and_abbreviations():
    text = "They used Adam, e.g. as in Fig. 3 [1]. The rate was 0.0003 [1]. Done."
    assert split_sentences(text) == [
        "They used Adam, e.g. as in Fig. 3 [1].",
        "The rate was 0.0003 [1].",
        "Done.",
    ]
    # a footnote mark read as a digit ends its sentence; a number or an initial does not
    assert split_sentences("It is in the tensor2tensor library.1 Because it is common, we omit "
                           "it. We use version 3.1 We hope. Heads as A.3 We report.") == [
        "It is in the tensor2tensor library.1",
        "Because it is common, we omit it.",
        "We use version 3.1 We hope.",
        "Heads as A.3 We report.",
    ]


def test_stems_meet_across_british_and_american_spelling():
    from core.text import stem

    assert stem("analysed") == stem("analyzed") == stem("analysis")[:5] + "s"
    assert stem("utilise") == stem("utilized")
    assert stem("horizon") != stem("horisontal")


def test_cites_of_reads_groups():
    assert cites_of("A [1], B [2, 3] and [3].") == (1, 2, 3)


def test_check_against_requires_numbers_and_names():
    assert check_against("Training used Adam with a learning rate of 0.0003.", METHODS)[0]
    ok, why = check_against("Training used Adam with a learning rate of 0.001.", METHODS)
    assert not ok and "0.001" in why
    ok, why = check_against("The model was trained on an NVIDIA A100 GPU.", METHODS)
    assert not ok and "A100" in why


def test_check_sentence_reattributes_a_wrong_citation():
    check = check_sentence("It reached 94.2% accuracy [1].", [METHODS, RESULTS])
    assert check.supported and check.passage == 2


def test_ground_builds_verbatim_citations():
    g = ground(
        "The model was trained on an NVIDIA RTX 3090 GPU [1]. It used Adam with a learning "
        "rate of 0.0003 [1].", EVIDENCE, page_text,
    )
    text, abstained, sentences, citations = g.text, g.abstained, g.sentences, g.citations
    assert g.mode == "generated"
    assert not abstained
    assert all(s.supported for s in sentences)
    assert [c.n for c in citations] == [1]
    c = citations[0]
    assert c.page == 2
    assert c.quote in PAGES[("d1", 2)]  # verbatim, line break included
    assert "RTX 3090" in c.quote
    assert "[1]" in text


def test_ground_marks_unsupported_and_abstains_when_nothing_holds():
    g = ground("The model was trained on eight TPU v3 cores [1].", EVIDENCE, page_text,
               "How many hours did training take?")
    assert g.abstained and g.text == NOT_REPORTED and g.mode == "not_reported"
    assert g.sentences and not g.sentences[0].supported
    assert g.citations == ()


def test_unsupported_draft_falls_back_to_the_answering_sentence():
    g = ground("The model was trained on an NVIDIA V100 GPU [1].", EVIDENCE, page_text,
               "Which GPU was used for training?")
    assert g.mode == "quoted" and not g.abstained
    assert not g.sentences[0].supported  # the model's draft stays visible, marked
    (c,) = g.citations
    assert "RTX 3090" in c.quote and c.quote in PAGES[("d1", c.page)]


def test_fallback_needs_a_distinctive_term():
    g = ground("It used eight TPUs [2].", EVIDENCE, page_text, "Which TPU was used?")
    assert g.abstained


def test_ground_keeps_supported_part_of_a_mixed_answer():
    g = ground(
        "Adam was used with a learning rate of 0.0003 [1]. The code is on GitHub [1].",
        EVIDENCE, page_text,
    )
    assert not g.abstained
    assert [s.supported for s in g.sentences] == [True, False]


def test_model_abstention_is_recognised():
    assert is_abstention("NOT REPORTED")
    assert is_abstention("The passages do not mention the hardware.")
    assert not is_abstention("An RTX 3090 was used [1].")
    g = ground("NOT REPORTED", EVIDENCE, page_text)
    assert (g.text, g.abstained) == (NOT_REPORTED, True)


def test_locate_is_whitespace_flexible_and_exact():
    page, quote = locate("single NVIDIA RTX 3090 GPU with 24 GB", [(2, PAGES[("d1", 2)])])
    assert page == 2 and quote == "single NVIDIA RTX 3090 GPU\nwith 24 GB"


def test_build_messages_respects_budget():
    long = [ev(i, "word " * 400, 1) for i in range(1, 6)]
    messages, used = build_messages("Which GPU?", long, budget_tokens=900,
                                    count_tokens=lambda s: len(s.split()))
    assert used == 2
    assert "[1]" in messages[1]["content"] and "[3]" not in messages[1]["content"]


def test_supported_but_off_topic_answer_is_not_an_answer():
    g = ground("The network reached 94.2% top-1 accuracy [2].", EVIDENCE, page_text,
               "Which GPU was used for training?")
    assert g.mode == "quoted" and "RTX 3090" in g.citations[0].quote


def test_restating_the_question_is_not_support():
    g = ground("The hardware used to train the model was a combination of architectures [1].",
               EVIDENCE, page_text, "Which hardware was used to train the model?")
    assert not g.sentences[0].supported


def test_numbers_with_magnitude_suffix_are_checked():
    ok, why = check_against("It was trained on 800M words.", "It was trained on 2,500M words.")
    assert not ok and "800M" in why


def test_a_value_question_needs_the_quantity_and_a_value():
    focus = Focus.of("What batch size was used?", EVIDENCE)
    assert focus.answered_by("It used a batch size of 64 and 40 epochs.")
    assert not focus.answered_by("The batch size depends on the memory.")  # no value
    assert not focus.answered_by("It used a learning rate of 0.0003.")  # another quantity


def test_unreported_quantity_is_not_reported_even_beside_true_numbers():
    # the draft's number is in the passage, but nothing there is a weight decay
    question = "What weight decay was used?"
    g = ground("The weight decay was 0.0003 [1].", EVIDENCE, page_text, question)
    assert g.abstained and g.text == NOT_REPORTED


def test_counted_things_must_be_named():
    vague = "As described in the methods section."  # the tiny model's usual draft
    assert ground(vague, EVIDENCE, page_text, "How many random seeds were run?").abstained
    g = ground(vague, EVIDENCE, page_text, "How many epochs were used?")
    assert g.mode == "quoted" and "40 epochs" in g.citations[0].quote


def test_a_category_question_needs_an_instance():
    camera = ev(1, "Deep learning models classify the images; the framework runs nightly.", 2)
    vague = "As described in the methods section."
    g = ground(vague, [camera, EVIDENCE[1]], page_text, "Which deep learning framework was used?")
    assert g.abstained
    g = ground(vague, EVIDENCE, page_text, "Which optimizer was used?")
    assert "Adam" in g.text and g.citations[0].quote in PAGES[("d1", 2)]


def test_mostly_unsupported_draft_gives_way_to_a_quote():
    g = ground("The model used an RTX 3090 GPU [1]. It ran on 8 TPUs [1]. It took 9 weeks [1].",
               EVIDENCE, page_text, "Which GPU was used for training?")
    assert g.mode == "quoted" and "RTX 3090" in g.citations[0].quote
    assert [s.supported for s in g.sentences] == [True, False, False]  # the draft's, checked


def test_locate_keeps_the_longer_part_of_a_quote_across_pages():
    tail = "VESPA command we restricted the sequences to the longest transcript."
    pages = [(4, "the page ends with Using the"), (5, tail)]
    page, quote = locate(f"Using the {tail}", pages)
    assert page == 5 and quote.startswith("VESPA command") and quote in pages[1][1]



def test_passage_sentences_leave_heading_lines_out():
    from core.answer import passage_sentences

    text = ("the previous section ends here.\n3.2 Training Details\nWe trained on one GPU for\n"
            "two days.\nResults\nThe accuracy was 94%.\nMethods\nWe used a\nSingle Camera\n"
            "for all sites.")
    assert passage_sentences(text) == [
        "the previous section ends here.", "We trained on one GPU for two days.",
        "The accuracy was 94%.", "We used a Single Camera for all sites."]


def test_a_draft_that_restates_the_question_is_no_answer():
    question = "What learning rate was used with Adam?"
    g = ground("The learning rate was used with Adam [1].", EVIDENCE, page_text, question)
    assert g.mode != "generated"
    assert any(s.reason == "only restates the question" for s in g.sentences)
    assert g.abstained or "0.0003" in g.text  # a quote that answers it, or not reported


def test_examples_in_the_question_are_not_its_focus():
    question = "What numerical precision (e.g., fp16 / mixed precision / bfloat16) was used?"
    masking = ev(1, "BERT uses a mixed strategy for masking the target tokens during training.", 2)
    other = ev(2, "The corpus holds 3.3 billion words from books and Wikipedia.", 3)
    trained = ev(3, "All models were trained in mixed precision on 8 GPUs.", 4)
    focus = Focus.of(question, [masking, other, trained])
    assert not focus.answered_by(masking.text)
    assert focus.answered_by(trained.text)
    # passages that name no precision at all answer no question about it
    assert not Focus.of(question, [masking, other]).answered_by(masking.text)
    # a draft copying an example from the question must find it in the passage
    g = ground("Mixed precision was used [1].", [masking, other], page_text, question)
    assert g.abstained


def test_a_checked_sentence_keeps_its_own_quote_beside_the_findings():
    """The finding quotes one sentence of a passage and the model's checked sentence rests on
    another: both quotes are citations, so the claim's own sentence is shown and highlighted."""
    passage = ("We compare neural networks with support vector regression (SVR) for drought "
               "forecasts in the basin. The networks had one hidden layer. All SVR models used "
               "the nonlinear radial basis function (RBF) kernel.")
    pages = {("d1", 2): passage, ("d1", 3): "Forecasts were scored by RMSE at each gauge."}
    evidence = [ev(1, passage, 2), ev(2, pages[("d1", 3)], 3)]
    g = ground("The SVR models used the radial basis function (RBF) kernel [1].", evidence,
               lambda doc, page: pages.get((doc, page)),
               "Which SVR models were used for the drought forecasts?")
    assert g.mode == "generated"
    quotes = [c.quote for c in g.citations]
    assert any("(RBF) kernel" in q for q in quotes)
    assert all(c.n == 1 for c in g.citations) and len(set(quotes)) == len(quotes)
