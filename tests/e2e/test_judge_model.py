"""The bundled judge model (Qwen2.5-Coder-1.5B-Instruct, placed by `make setup`) judges the
bundled SmolLM2's answers: it tells a sentence that states what was asked from one that only
shares its words, and a lexical match it rejects becomes "not reported"."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.answer import NOT_REPORTED, generate_grounded
from core.answer.judge import accepts
from core.chat_models import judge_for, judge_gguf
from core.llm import LlamaGenerator
from core.settings import PROJECT_ROOT, LLMSettings, Settings
from core.types import Evidence

pytestmark = pytest.mark.e2e

QUESTION = "How were the extracted activation maps clustered?"
OPENING = ("A CNN can be exploited to extract activation maps when provided with data, these maps "
           "can highlight the regions of the input to which the CNN is most strongly responding.")


@pytest.fixture(scope="module")
def judge_model():
    path = judge_gguf(Settings(models_dirs=[PROJECT_ROOT / "models"]))
    if path is None:
        pytest.skip("no judge model in models/judge/ (set-up ran with LANTERN_JUDGE=0)")
    gen = LlamaGenerator(path, LLMSettings(n_ctx=2048))
    yield gen
    gen.close()


@pytest.mark.parametrize(("question", "sentence", "states_it"), [
    ("Which GPU model was used?", "All models were trained on 8 NVIDIA A100 GPUs.", True),
    ("Which GPU model was used?", "Training took about 300 GPU-hours in total.", False),
    ("Which GPU model was used?", "GPU time was donated by the NVIDIA Academic Program.", False),
    ("Where is the code available?", "Our code is available at https://github.com/acme/birdnet.",
     True),
    ("Where is the code available?", "We will release our models to the community.", False),
    ("What data augmentation was applied?",
     "Images were randomly flipped and cropped during training.", True),
    ("What data augmentation was applied?", "Small samples are a common problem in ecology.", False),
])
def test_the_judge_model_tells_an_answer_from_a_neighbour(judge_model, question, sentence,
                                                          states_it):
    assert accepts(judge_model, question, sentence) is states_it


def ask(chat, judge_model, texts: list[str], judge: str):
    evidence = [Evidence(n, "d1", "TF/target CNN", Path("/x.pdf"), n, n, "methods", t, 1.0)
                for n, t in enumerate(texts, start=1)]
    pages = {("d1", n): t for n, t in enumerate(texts, start=1)}
    stream = generate_grounded(QUESTION, evidence, chat, LLMSettings(),
                               lambda doc_id, page: pages.get((doc_id, page)),
                               judging=judge_for(judge, chat, judge_model))  # type: ignore[arg-type]
    while True:
        try:
            next(stream)
        except StopIteration as done:
            return done.value


def test_a_sentence_that_shares_the_questions_words_is_not_reported(real_generator, judge_model):
    passage = OPENING + " We trained the network on 2,000 gene pairs."
    unjudged = ask(real_generator, judge_model, [passage], judge="off")
    assert not unjudged.abstained and "activation maps" in unjudged.text  # the words match
    judged = ask(real_generator, judge_model, [passage], judge="auto")
    assert judged.abstained and judged.text == NOT_REPORTED
    assert judged.judged and judged.judge == judge_model.name


def test_the_sentence_that_states_it_is_kept_and_named_as_judged(real_generator, judge_model):
    passage = (OPENING + " The activation maps were clustered with k-means (k = 3) after a "
               "principal components analysis.")
    g = ask(real_generator, judge_model, [passage], judge="auto")
    assert not g.abstained and g.judged and "k-means" in g.text
    assert g.judge_s is not None and g.judge == judge_model.name
