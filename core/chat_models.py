"""Finding model files (GGUF chat models in the models folders, the embedding model) and the
chat model's lifetime."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from core.errors import ModelError
from core.llm import Generator, LlamaGenerator
from core.settings import DEFAULT_GGUF, DEFAULT_JUDGE_GGUF, Settings
from core.types import ModelInfo


def gguf_files(settings: Settings) -> list[Path]:
    found: dict[Path, None] = {}
    for folder in settings.models_dirs:
        if folder.is_dir():
            for path in sorted(folder.glob("*.gguf")):
                found[path.resolve()] = None
    if settings.llm.model_path and settings.llm.model_path.is_file():
        found[settings.llm.model_path.resolve()] = None
    return list(found)


def default_gguf(settings: Settings) -> Path:
    """The chat model to use: the configured one, else the shipped default, else any GGUF."""
    if settings.llm.model_path is not None:
        return settings.llm.model_path
    files = gguf_files(settings)
    for path in files:
        if path.name == DEFAULT_GGUF:
            return path
    if files:
        return files[0]
    raise ModelError(
        "no GGUF chat model found: run `make setup` to place the default model in models/, "
        "or put any instruct .gguf file there (or pass --model FILE.gguf)"
    )


def judge_gguf(settings: Settings) -> Path | None:
    """The GGUF that judges a small chat model's answers (answers.judge): the configured one,
    else the bundled one in a models folder, else None (nothing judges them)."""
    if settings.answers.judge_model is not None:
        if not settings.answers.judge_model.is_file():
            raise ModelError(
                f"the judge model {settings.answers.judge_model} is not there: put the GGUF back, "
                "or clear answers.judge_model to use the bundled one")
        return settings.answers.judge_model
    for folder in settings.models_dirs:
        if (folder / DEFAULT_JUDGE_GGUF).is_file():
            return folder / DEFAULT_JUDGE_GGUF
    return None


def find_models(settings: Settings) -> list[ModelInfo]:
    """Every model Lantern can use, the ones in use marked default."""
    try:
        current = default_gguf(settings).resolve()
    except ModelError:
        current = None
    models = [
        ModelInfo(p.name, p, "gguf", round(p.stat().st_size / 2**20, 1), p == current)
        for p in gguf_files(settings)
    ]
    try:
        from core.embed import resolve_embedding_model

        emb = resolve_embedding_model(settings.embedding.model)
        size = sum(f.stat().st_size for f in emb.rglob("*") if f.is_file())
        models.append(
            ModelInfo(settings.embedding.model, emb, "embedding", round(size / 2**20, 1), True)
        )
    except ModelError:
        pass
    try:
        judge = judge_gguf(settings)
    except ModelError:
        judge = None
    if judge is not None:
        models.append(ModelInfo(judge.name, judge, "judge", round(judge.stat().st_size / 2**20, 1),
                                settings.answers.judge != "off"))
    return models


JudgeMode = Literal["auto", "on", "off"]  # answers.judge

MIN_PARAMS = 1_000_000_000  # `auto`: a GGUF this large or larger judges (SmolLM2-135M does not)
# the judge reads one question and one answer (at most judge.WHOLE_CHARS) at a time
JUDGE_N_CTX = 2048


def judge_generator(settings: Settings) -> LlamaGenerator | None:
    """The judge model (judge_gguf) as a generator, not loaded yet; None when there is none. It
    runs where the chat model does (threads, GPU layers, seed) with a window for one question
    and one answer."""
    path = judge_gguf(settings)
    if path is None:
        return None
    return LlamaGenerator(path, settings.llm.model_copy(update={"model_path": path,
                                                                "n_ctx": JUDGE_N_CTX}))


def judge_for(mode: JudgeMode, gen: Generator, spare: Generator | None) -> Generator | None:
    """Who judges the answers of chat model `gen`, or None: nobody when `off`; `gen` itself when
    it is capable (a model server, `remote`, or a GGUF of MIN_PARAMS+, read from the loaded
    model); else the judge model `spare` when there is one; else `gen` only when `on`."""
    if mode == "off":
        return None
    n_params = getattr(gen, "n_params", None)
    if getattr(gen, "remote", False) or (isinstance(n_params, int) and n_params >= MIN_PARAMS):
        return gen
    if spare is not None:
        return spare
    return gen if mode == "on" else None


class ChatModel:
    """The chat model answers are generated with, and its lifetime: chosen from the settings
    (the model server if one is set, never anything else; else the built-in llama.cpp model),
    loaded on first use, let go when its settings change or the library closes. Beside it, the
    judge model (`judge`) that judges a small chat model's answers, when there is one.

    A generator passed in belongs to the caller (tests share one): it is used, never closed.
    """

    def __init__(self, settings: Settings, generator: Generator | None = None,
                 state_dir: Path | None = None) -> None:
        """`state_dir`: where a GGUF's prompt state is kept between processes (None: nowhere)."""
        self.settings = settings
        self.state_dir = state_dir
        self._generator = generator
        self._owned = generator is None
        self._judge: LlamaGenerator | None = None

    @property
    def generator(self) -> Generator:
        """The generator, made now if there is none (a GGUF loads its weights on first use)."""
        if self._generator is None:
            self._generator = self._new()
        return self._generator

    @property
    def loaded(self) -> Generator | None:
        """The generator in use, or None before first use and after a change of model."""
        return self._generator

    @property
    def judge(self) -> LlamaGenerator | None:
        """The judge model (judge_generator), made on first use and loaded when it first judges;
        None when there is none."""
        if self._judge is None:
            self._judge = judge_generator(self.settings)
        return self._judge

    def _new(self) -> Generator:
        if self.settings.remote.enabled:
            from core.remote import RemoteGenerator  # http.client: not for every command

            return RemoteGenerator(self.settings.remote)
        return LlamaGenerator(default_gguf(self.settings), self.settings.llm, self.state_dir)

    @property
    def name(self) -> str | None:
        """The model's name, or None when there is no model at all (the UI shows "no model")."""
        if self._generator is not None:
            return self._generator.name
        try:
            return self._new().name  # cheap: nothing is loaded or contacted
        except Exception:
            return None

    def load(self) -> str:
        """Load the model now (a server is asked what it serves), and the judge model too when
        it is the one that will judge this model's answers (judge_for: a small built-in
        chat model, judging not off), so the first judged answer does not wait the second or
        two it takes to map its weights; return the chat model's name."""
        gen = self.generator
        load = getattr(gen, "load", None)
        if load:
            load()
        judging = self.judging()
        if judging is not None and judging is not gen and (load := getattr(judging, "load", None)):
            load()
        return gen.name

    def judging(self) -> Generator | None:
        """Who judges this chat model's answers under answers.judge (judge_for): the chat model
        itself, the judge model, or None. Reads a GGUF's size, so it loads the chat model."""
        mode = self.settings.answers.judge
        if mode == "off":
            return None
        return judge_for(mode, self.generator, self.judge)

    def use(self, settings: Settings) -> None:
        """Take new settings; a changed model section lets the model go (made again on use)."""
        changed = (settings.llm, settings.remote) != (self.settings.llm, self.settings.remote)
        judge_changed = changed or (settings.answers.judge_model, settings.models_dirs) != (
            self.settings.answers.judge_model, self.settings.models_dirs)
        self.settings = settings
        if changed:
            self.close()
        elif judge_changed:
            self._close_judge()

    def close(self) -> None:
        """Free the model if it is ours; whatever comes next is made (and owned) here."""
        if self._generator is not None and self._owned:
            self._generator.close()
        self._generator = None
        self._owned = True
        self._close_judge()

    def _close_judge(self) -> None:
        if self._judge is not None:
            self._judge.close()
        self._judge = None
