"""llama-cpp-python wrapper: load any GGUF, stream a chat answer, keep the prompt in budget."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

from core.errors import ModelError
from core.settings import LLMSettings

log = logging.getLogger(__name__)


class Generator(Protocol):
    name: str

    def count_tokens(self, text: str) -> int: ...

    def stream_chat(
        self, messages: Sequence[dict], *, max_tokens: int, temperature: float
    ) -> Iterator[str]: ...

    def close(self) -> None: ...


class LlamaGenerator:
    """A GGUF model through llama-cpp-python; the chat template comes from the file."""

    def __init__(self, path: Path, settings: LLMSettings, state_dir: Path | None = None) -> None:
        """`state_dir`: where the state after the prompt's fixed opening is kept for the next
        process (core.prompt_state); None keeps nothing."""
        self.path = path
        self.settings = settings
        self.state_dir = state_dir
        self.name = path.name
        self._llm = None
        self._lock = threading.Lock()
        # one generation at a time per model, even when several Libraries share it (tests do):
        # llama.cpp's context is not thread-safe (llama-cpp-python's server locks it too)
        self._generating = threading.Lock()

    def load(self):
        with self._lock:
            if self._llm is None:
                self._llm = _load_llama(self.path, self.settings)
            return self._llm

    @property
    def n_ctx(self) -> int:
        return int(self.load().n_ctx())

    @property
    def n_params(self) -> int:
        """The model's parameter count, from the loaded weights (llama_model_n_params): known
        after the first answer without reading the file again."""
        import llama_cpp

        return int(llama_cpp.llama_model_n_params(self.load().model))

    def count_tokens(self, text: str) -> int:
        return len(self.load().tokenize(text.encode("utf-8"), add_bos=False, special=True))

    def stream_chat(
        self, messages: Sequence[dict], *, max_tokens: int, temperature: float
    ) -> Iterator[str]:
        llm = self.load()
        # llama-cpp-python renders the GGUF's chat template in jinja2's ImmutableSandboxedEnvironment
        # (llama_chat_format.Jinja2ChatFormatter, 0.3.x): a hostile template raises SecurityError
        # there instead of running; a broken one raises another TemplateError.
        with self._generating, _template_errors(self.name):
            self._reuse_opening(llm, messages)
            stream = llm.create_chat_completion(
                messages=list(messages),
                max_tokens=max_tokens,
                temperature=temperature,
                repeat_penalty=1.1,
                seed=self.settings.seed,
                stream=True,
            )
            try:
                for part in stream:
                    delta = part["choices"][0].get("delta", {})
                    if text := delta.get("content"):
                        yield text
            finally:
                stream.close()

    def choose(
        self, messages: Sequence[dict], options: Sequence[str], lean: dict[str, float] | None = None
    ) -> str:
        """The model's one-token reply restricted to the first tokens of `options` (each
        given the same large logit bias, so the model's own preference between them decides),
        at temperature 0: "YES" or "NO" even from a model that would rather write a sentence.
        `lean` adds to an option's bias: {"YES": 0.5} takes YES unless NO's logit is ahead by
        more than 0.5. A logit bias, not a GBNF grammar: llama-cpp-python 0.3.36's grammar
        sampling took about twice as long per reply (18-39 s against 9-18 s, SmolLM2 on a
        heavily loaded 2-core machine). Options must differ in their first token, in any of
        their casings."""
        llm = self.load()
        first: dict[int, str] = {}
        for option in options:
            for form in dict.fromkeys((option, option.capitalize(), option.lower())):
                ids = llm.tokenize(form.encode("utf-8"), add_bos=False, special=False)
                if ids:
                    first.setdefault(ids[0], option)
        lean = lean or {}
        with self._generating, _template_errors(self.name):
            self._reuse_opening(llm, messages)
            reply = llm.create_chat_completion(
                messages=list(messages), max_tokens=1, temperature=0.0, seed=self.settings.seed,
                logit_bias={str(i): 100.0 + lean.get(option, 0.0) for i, option in first.items()},
            )
        text = (reply["choices"][0]["message"].get("content") or "").strip()
        ids = llm.tokenize(text.encode("utf-8"), add_bos=False, special=False) if text else []
        return first.get(ids[0], "") if ids else ""

    def _reuse_opening(self, llm, messages: Sequence[dict]) -> None:
        """A fresh model restores the prompt's opening from the state folder, or reads it and
        keeps it there (core.prompt_state)."""
        if self.state_dir is None:
            return
        from core import prompt_state

        try:
            done = prompt_state.restore_or_save(llm, self.path, self.state_dir, messages)
        except Exception:  # a cache never costs an answer: the prompt is then read whole
            log.warning("the prompt's kept state could not be used", exc_info=True)
            llm.reset()
            return
        log.debug("prompt opening: %s", done)

    def close(self) -> None:
        with self._lock:
            if self._llm is not None:
                self._llm.close()
                self._llm = None


@contextmanager
def _template_errors(name: str) -> Iterator[None]:
    """Turn a failing chat template (jinja2.TemplateError) into one ModelError naming the model."""
    try:
        yield
    except Exception as exc:
        from jinja2 import TemplateError
        from jinja2.sandbox import SecurityError

        if isinstance(exc, SecurityError):
            raise ModelError(
                f"{name}: its chat template tried an operation the sandbox forbids ({exc}); "
                "the file may be hostile: use another model"
            ) from exc
        if isinstance(exc, TemplateError):
            raise ModelError(
                f"{name}: its chat template is broken ({type(exc).__name__}: {exc}); "
                "use another model file"
            ) from exc
        raise


def _load_llama(path: Path, settings: LLMSettings):
    if not path.is_file():
        raise ModelError(
            f"model file not found: {path}. Pick another model in the settings or drop a .gguf file."
        )
    with open(path, "rb") as fh:
        if fh.read(4) != b"GGUF":
            raise ModelError(f"{path.name} is not a GGUF model file (llama.cpp needs .gguf)")
    try:
        from llama_cpp import Llama
    except ImportError as exc:
        raise ModelError("llama-cpp-python is not installed: run `make setup`") from exc
    threads = settings.n_threads or os.cpu_count() or 2
    log.info("loading %s (n_ctx=%d, gpu layers=%d)", path.name, settings.n_ctx, settings.n_gpu_layers)
    try:
        with _template_errors(path.name):  # Llama() compiles the template from the file
            return Llama(
                model_path=str(path),
                n_ctx=settings.n_ctx,
                n_threads=threads,
                n_threads_batch=threads,
                n_gpu_layers=settings.n_gpu_layers,
                verbose=log.isEnabledFor(logging.DEBUG),
            )
    except MemoryError as exc:
        raise ModelError(f"not enough memory to load {path.name}; try a smaller model") from exc
    except (ValueError, RuntimeError) as exc:
        raise ModelError(
            f"llama.cpp could not load {path.name} ({exc}); it may be damaged, too large for "
            "this machine's memory, or of an architecture this llama.cpp build does not know"
        ) from exc
