"""The judge (core/answer/judge.py): the shown sentence is one the model accepts, none accepted
is "not reported", `auto` reads the model's size (or a model server) and otherwise hands a small
model's answers to the judge model, and every judge call asks for a YES/NO reply of a few
tokens only."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from core import RemoteGenerator, RemoteSettings, Settings
from core.answer import NOT_REPORTED, generate_grounded, strip_cites
from core.answer.focus import asked_part
from core.answer.judge import JUDGE_TOKENS, MAX_JUDGED, SYSTEM, accepts
from core.chat_models import MIN_PARAMS, judge_for
from core.serialize import answer_from_dict, answer_to_dict
from core.settings import LLMSettings
from core.types import Answer, Evidence
from tests.remote_stub import StubServer

QUESTION = "Which GPU was the network trained on?"
METHODS = (
    "The network was trained on a NVIDIA TITAN RTX GPU for the first 20 epochs. "
    "Fine-tuning then ran on one NVIDIA A100 GPU with 40 GB of memory for 5 more epochs."
)
PAGES = {("d1", 4): "4 Methods\n" + METHODS}
EVIDENCE = [Evidence(1, "d1", "Camera traps", Path("/x.pdf"), 4, 4, "methods", METHODS, 1.0)]
DRAFT = "The network was trained on a NVIDIA TITAN RTX GPU [1]."


def page_text(doc_id: str, page: int) -> str | None:
    return PAGES.get((doc_id, page))


class MarkerJudge:
    """A Generator that writes the enqueued draft, then, asked to judge, says YES only for a
    text holding `marker` and not `veto`; it records each call's limits."""

    name = "judge-double.gguf"
    n_ctx = 4096

    def __init__(self, draft: str, marker: str | None, n_params: int | None = None,
                 veto: str | None = None) -> None:
        self.draft, self.marker, self.veto = draft, marker, veto
        self.n_params = n_params
        self.judged: list[str] = []  # the sentences put to the judge
        self.asked: list[str] = []  # the questions put with them
        self.calls: list[tuple[int, float]] = []  # (max_tokens, temperature) of judge calls

    def count_tokens(self, text: str) -> int:
        return len(text) // 4 + 1

    def stream_chat(
        self, messages: Sequence[dict], *, max_tokens: int, temperature: float
    ) -> Iterator[str]:
        if messages[0]["content"] != SYSTEM:  # the answer's prompt: write the draft
            yield from re.findall(r"\S+\s*", self.draft)
            return
        sentence = re.search(r"^Text: (.*)$", messages[-1]["content"], re.M)
        assert sentence is not None
        self.judged.append(sentence.group(1))
        self.asked.append(re.search(r"^Question: (.*)$", messages[-1]["content"], re.M).group(1))
        self.calls.append((max_tokens, temperature))
        text = sentence.group(1)
        said = self.marker and self.marker in text and not (self.veto and self.veto in text)
        yield "YES" if said else "NO"

    def close(self) -> None:
        pass


def answer(gen: MarkerJudge, judge: str = "on", judge_model: MarkerJudge | None = None,
           question: str = QUESTION):
    stream = generate_grounded(question, EVIDENCE, gen, LLMSettings(), page_text,
                               judging=judge_for(judge, gen, judge_model))  # type: ignore[arg-type]
    tokens = []
    while True:
        try:
            tokens.append(next(stream))
        except StopIteration as done:
            return done.value


def test_the_shown_sentence_is_the_one_the_judge_accepts():
    gen = MarkerJudge(DRAFT, marker="A100", veto="TITAN")
    g = answer(gen)
    assert g.judged and not g.abstained
    assert "A100" in g.text and "TITAN" not in g.text
    assert [c.quote for c in g.citations] == [gen.judged[-1]]  # the sentence accepted, alone
    assert all("A100" in c.quote for c in g.citations)
    assert len(gen.judged) >= 3  # the whole answer and its TITAN sentence were rejected


def test_an_accepted_answer_is_kept_as_checked_and_judged_whole():
    """The judge reads the answer as shown, all its sentences, before any one alone: a
    sentence that needs the one beside it is read with it."""
    kept = answer(MarkerJudge(DRAFT, marker=None), judge="off")
    gen = MarkerJudge(DRAFT, marker="A100")
    g = answer(gen)
    assert g.judged and g.text == kept.text and g.citations == kept.citations
    assert gen.judged == [" ".join(strip_cites(kept.text).split())]  # accepted whole: no further calls
    assert "TITAN" in gen.judged[0] and "A100" in gen.judged[0]


def test_the_judge_is_asked_what_is_asked_without_the_scene():
    """"In the camera-trap study, which GPU ...?": the scene chose the passages; the judge is
    asked "Which GPU ...?", so a sentence need not repeat the scene to answer."""
    gen = MarkerJudge(DRAFT, marker="TITAN")
    g = answer(gen, question=f"In the camera-trap study of 2023, {QUESTION[0].lower()}{QUESTION[1:]}")
    assert g.judged and not g.abstained
    assert gen.asked == [QUESTION]
    assert asked_part(QUESTION) == QUESTION  # no scene: the question as it is
    assert asked_part("For BERT-Large on HellaSwag, how big were the batches?") == (
        "How big were the batches?")
    statement = "In 2019, 5,000 images were taken at the site?"  # what follows does not ask
    assert asked_part(statement) == statement


def test_the_judge_is_asked_without_a_closing_clause_that_names_the_paper():
    """"... in the camera-trap study?", "... in Task2Vec?": the clause names the paper the
    passages are from (its title's words, or the name most passages use), so the judge is not
    told to look for it in the sentence. A clause that says which experiments, or what was
    done, stays."""
    gen = MarkerJudge(DRAFT, marker="TITAN")
    g = answer(gen, question="Which GPU was the network trained on in the camera traps study?")
    assert g.judged and not g.abstained
    assert gen.asked == [QUESTION]
    named = [Evidence(i, "d2", "T 2V: Task Embedding for Meta-Learning", Path("/t.pdf"), i, i,
                      "body", f"Task2Vec embeds tasks, as shown in part {i}.", 1.0)
             for i in range(1, 5)]  # a title read badly; every passage says "Task2Vec"
    assert asked_part("What data augmentation was applied in Task2Vec?", named) == (
        "What data augmentation was applied?")
    assert asked_part("What data augmentation was applied for the Task2Vec experiments?",
                      named) == "What data augmentation was applied?"
    for stays in ("What data augmentation was applied in the GNN experiments?",
                  "Which optimizer was used for pre-training the task embedding?",
                  "What data augmentation was applied in Task2Vec."):  # no question
        assert asked_part(stays, named) == stays


def test_all_rejected_is_not_reported():
    gen = MarkerJudge(DRAFT, marker="no sentence holds this")
    g = answer(gen)
    assert g.abstained and g.text == NOT_REPORTED and g.mode == "not_reported"
    assert g.judged and not g.citations
    assert 2 <= len(gen.judged) <= MAX_JUDGED


def test_the_models_own_checked_sentence_is_judged_too():
    draft = "Fine-tuning used one NVIDIA A100 GPU with 40 GB of memory [1]."
    gen = MarkerJudge(draft, marker="no sentence holds this")
    answer(gen)
    assert "Fine-tuning used one NVIDIA A100 GPU with 40 GB of memory." in gen.judged


def test_judge_calls_use_the_short_reply_limit_at_temperature_0():
    gen = MarkerJudge(DRAFT, marker="no sentence holds this")
    answer(gen)
    assert gen.calls and all(call == (JUDGE_TOKENS, 0.0) for call in gen.calls)
    assert JUDGE_TOKENS <= 3


def test_off_asks_the_model_nothing_more_and_an_abstention_is_not_judged():
    gen = MarkerJudge(DRAFT, marker="A100")
    assert not answer(gen, judge="off").judged and gen.judged == []
    abstains = MarkerJudge("NOT REPORTED", marker="A100")
    g = answer(abstains, judge="on")
    assert g.abstained and not g.judged and abstains.judged == []


@pytest.mark.parametrize(("mode", "n_params", "expected"), [
    ("auto", 134_515_008, False),  # SmolLM2-135M's own count (llama_model_n_params)
    ("auto", 3_212_749_824, True),  # a Llama-3.2-3B
    ("auto", MIN_PARAMS, True),
    ("auto", None, False),  # a model of unknown size is not trusted to judge
    ("on", 134_515_008, True),
    ("off", 3_212_749_824, False),
])
def test_auto_reads_the_models_size(mode, n_params, expected):
    gen = MarkerJudge(DRAFT, None, n_params)
    assert (judge_for(mode, gen, None) is gen) is expected


@pytest.mark.parametrize(("mode", "n_params", "who"), [
    ("auto", 134_515_008, "judge model"),  # a small chat model: the judge model judges
    ("on", 134_515_008, "judge model"),
    ("auto", 3_212_749_824, "chat model"),  # a capable one judges its own answers
    ("off", 134_515_008, None),
])
def test_a_small_models_answers_go_to_the_judge_model(mode, n_params, who):
    gen, spare = MarkerJudge(DRAFT, None, n_params), MarkerJudge(DRAFT, None, 1_543_714_304)
    chosen = judge_for(mode, gen, spare)
    assert chosen is {"judge model": spare, "chat model": gen, None: None}[who]


def test_the_judge_model_judges_and_is_named_while_the_chat_model_writes():
    chat = MarkerJudge(DRAFT, marker="A100", n_params=134_515_008)
    spare = MarkerJudge("never asked to write", marker="A100")
    spare.name = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
    g = answer(chat, judge="auto", judge_model=spare)
    assert chat.judged == [] and spare.judged  # the judge model read the candidates
    assert g.judged and g.judge == spare.name and "A100" in g.text
    assert answer(chat, judge="auto").judged is False  # no judge model: SmolLM2's stands


def test_auto_judges_with_a_model_server_and_its_calls_ask_for_a_short_reply():
    with StubServer(reply="YES") as stub:
        gen = RemoteGenerator(RemoteSettings(enabled=True, url=stub.url, model="stub-model"))
        assert judge_for("auto", gen, None) is gen and judge_for("off", gen, None) is None
        assert accepts(gen, QUESTION, METHODS.split(". ")[1])
        body = stub.requests[-1]["body"]
        assert body["max_tokens"] == JUDGE_TOKENS and body["temperature"] == 0.0
    with StubServer(reply="No, it does not.") as stub:
        gen = RemoteGenerator(RemoteSettings(enabled=True, url=stub.url, model="stub-model"))
        assert not accepts(gen, QUESTION, METHODS)


def test_the_setting_is_checked_and_an_answer_records_that_it_was_judged(tmp_path):
    assert Settings(library=tmp_path).answers.judge == "auto"
    with pytest.raises(Exception, match="judge"):
        Settings(library=tmp_path).replace(answers={"judge": "sometimes"})
    a = Answer(question=QUESTION, answer="x", abstained=False, citations=(), evidence=(),
               sentences=(), model="m", judged=True, judge="qwen.gguf")
    again = answer_from_dict(answer_to_dict(a))
    assert again.judged and again.judge == "qwen.gguf"


def test_ask_and_extract_take_judge_from_the_command_line():
    from core.cli import build_parser

    assert build_parser().parse_args(["ask", "Which GPU?", "--judge", "on"]).judge == "on"
    assert build_parser().parse_args(
        ["extract", "--questions", "builtin:dl-methods", "--out", "t.csv", "--judge", "off"]).judge == "off"
    with pytest.raises(SystemExit):
        build_parser().parse_args(["ask", "Which GPU?", "--judge", "maybe"])


def test_the_judges_time_is_recorded_only_when_it_ran():
    assert answer(MarkerJudge(DRAFT, marker="A100")).judge_s is not None
    assert answer(MarkerJudge("NOT REPORTED", marker="A100")).judge_s is None
    assert answer(MarkerJudge(DRAFT, marker="A100"), judge="off").judge_s is None


def test_the_judge_model_is_found_beside_the_chat_models_and_not_offered_as_one(tmp_path):
    from core.chat_models import ChatModel, find_models, gguf_files, judge_gguf
    from core.errors import ModelError
    from core.settings import DEFAULT_JUDGE_GGUF

    models = tmp_path / "models"
    (models / "judge").mkdir(parents=True)
    (models / "chat.gguf").write_bytes(b"GGUF")
    settings = Settings(library=tmp_path / "lib", models_dirs=[models])
    assert judge_gguf(settings) is None and ChatModel(settings).judge is None
    (models / DEFAULT_JUDGE_GGUF).write_bytes(b"GGUF")
    assert judge_gguf(settings) == models / DEFAULT_JUDGE_GGUF
    assert gguf_files(settings) == [(models / "chat.gguf").resolve()]  # not a chat model
    assert [m.kind for m in find_models(settings) if m.kind != "embedding"] == ["gguf", "judge"]
    chat = ChatModel(settings)
    judge = chat.judge  # made, not loaded: the weights load when it first judges
    assert judge is not None and judge.name == Path(DEFAULT_JUDGE_GGUF).name
    assert chat.judge is judge and judge.settings.n_ctx == 2048
    chat.use(settings.replace(answers={"judge": "off"}))
    assert chat.judge is judge  # the mode changes nothing it holds
    chat.use(settings.replace(answers={"judge_model": models / "chat.gguf"}))
    assert chat.judge is not judge and chat.judge.name == "chat.gguf"
    missing = settings.replace(answers={"judge_model": tmp_path / "gone.gguf"})
    with pytest.raises(ModelError, match="gone.gguf is not there"):
        judge_gguf(missing)


@pytest.mark.parametrize(("mode", "n_params", "loaded", "who"), [
    ("auto", 134_515_008, True, "judge model"),  # a small chat model's: the judge model's word
    ("auto", 3_000_000_000, False, "chat model"),  # a capable one judges its own: 1 GB not mapped
    ("off", 134_515_008, False, None),
])
def test_the_judge_model_is_loaded_with_the_chat_model_only_when_it_will_judge(
        tmp_path, monkeypatch, mode, n_params, loaded, who):
    from core import chat_models

    spare = MarkerJudge(DRAFT, None, 1_543_714_304)
    spare.load = lambda: setattr(spare, "was_loaded", True)
    monkeypatch.setattr(chat_models, "judge_generator", lambda settings: spare)
    settings = Settings(library=tmp_path / "lib", answers={"judge": mode})
    chat = chat_models.ChatModel(settings, generator=MarkerJudge(DRAFT, None, n_params))
    assert chat.load() == chat.generator.name
    assert getattr(spare, "was_loaded", False) is loaded
    judging = {"judge model": spare, "chat model": chat.generator, None: None}[who]
    assert chat.judging() is judging  # the one decision, for the library's answers too


def test_the_provenance_names_the_judge_model_by_its_hash_not_its_path(tmp_path):
    from core.provenance import judge_model, result_settings
    from core.settings import DEFAULT_JUDGE_GGUF

    models = tmp_path / "models"
    (models / "judge").mkdir(parents=True)
    (models / DEFAULT_JUDGE_GGUF).write_bytes(b"GGUF judge")
    settings = Settings(library=tmp_path / "lib", models_dirs=[models])
    record = judge_model(settings, tmp_path)
    assert record is not None and record["file"] == Path(DEFAULT_JUDGE_GGUF).name
    assert len(record["sha256"]) == 64
    assert judge_model(settings.replace(answers={"judge": "off"}), tmp_path) is None
    assert "judge_model" not in result_settings(settings, use_llm=True)["answers"]


def test_with_judging_off_a_judge_model_that_is_gone_costs_no_answer(fake_library, fake_generator,
                                                                     tmp_path):
    from core import AnswerDone
    from core.pdfgen import write_paper

    pdf = write_paper(tmp_path / "gpu.pdf", title="Camera traps", sections=[
        ("Methods", ["The network was trained on one NVIDIA A100 GPU for 5 epochs."])])
    list(fake_library.add([pdf]))
    fake_library.use_settings(fake_library.settings.replace(
        answers={"judge": "off", "judge_model": tmp_path / "gone.gguf"}))
    fake_generator.enqueue("The network was trained on one NVIDIA A100 GPU [1].")
    done = [e for e in fake_library.ask("Which GPU was used?") if isinstance(e, AnswerDone)]
    assert not done[0].answer.abstained and "A100" in done[0].answer.answer


def test_sentences_shown_beside_the_best_never_cost_an_answer_the_judge_takes_without_them():
    """The finding also quotes the sentences that rank close to its best (finding.CLOSE); when
    the judge rejects the answer with them, it is asked of the answer without them next, whole
    (here a paper's two sentences that state the answer together)."""
    cleaned = ("We filtered the survey counts to remove taxa that are poorly sampled by point "
               "counts. We performed this cleaning and filtering of the survey counts with the R "
               "package MATSS.")
    close = "Counts from the survey were checked by hand."
    evidence = [Evidence(n, "d1", "Birds", Path("/b.pdf"), n, n, "methods", text, 1.0)
                for n, text in enumerate((cleaned, close, "The sites span four states.",
                                          "Results are reported per route.",
                                          "Abundance declines in the north."), 1)]
    pages = {("d1", n): e.text for n, e in enumerate(evidence, 1)}
    gen = MarkerJudge("zzz.", marker="MATSS", veto="by hand")
    stream = generate_grounded("How were the survey counts cleaned before analysis?", evidence,
                               gen, LLMSettings(), lambda d, p: pages.get((d, p)),
                               judging=judge_for("on", gen, None))  # type: ignore[arg-type]
    while True:
        try:
            next(stream)
        except StopIteration as done:
            g = done.value
            break
    assert gen.judged == [f"{cleaned} {close}", cleaned]  # with the close one: rejected
    assert g.judged and " ".join(strip_cites(g.text).split()) == cleaned  # both sentences
