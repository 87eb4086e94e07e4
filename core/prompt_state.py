"""The chat model's state after a prompt's fixed opening, kept on disk between processes.

Every answer's prompt opens the same way: the chat template's system turn (the instructions)
and the start of the user turn. A process that has answered once keeps that opening in
llama.cpp's memory and reads only what follows (llama-cpp-python matches the longest common
prefix of tokens). A new process, each `lantern ask` from a terminal, would read it again:
about 65 of SmolLM2's ~210 prompt tokens, 0.3-0.4 s on 2 CPU cores. Here the state after the
opening is saved once and restored by the next process in about 10 ms.

A file belongs to one model file (name, size, modification time), one llama.cpp build and
context size, and one exact token sequence: anything else is a miss, and a miss costs only the
reading the process does anyway, plus one write. A file that cannot be read or restored is
ignored (and removed), never trusted: the worst case is reading the opening again.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import logging
import os
import tempfile
import zlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

_MAGIC = b"LANTERN-KV2\n"  # then the token count, the tokens, the state's CRC-32, the state
_MIN_TOKENS = 16  # a shorter opening is not worth a file
_KEEP = 4  # files kept in a folder (the answer's and the judge's opening, a model or two)


def opening(llm, messages: Sequence[dict]) -> list[int]:
    """The tokens the chat template puts before the last message's text: the part of the
    prompt that stays the same from question to question. [] when it cannot be told apart."""
    if not messages:
        return []
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    template = llm.metadata.get("tokenizer.chat_template")
    if not template:
        return []
    model = llm._model
    formatter = Jinja2ChatFormatter(
        template=template,
        eos_token=model.token_get_text(llm.token_eos()),
        bos_token=model.token_get_text(llm.token_bos()),
    )
    marker = "\u0000"
    shown = [*messages[:-1], {**messages[-1], "content": marker}]
    rendered = formatter(messages=shown)  # type: ignore[arg-type]  # plain dicts, as sent
    head, sep, _ = rendered.prompt.partition(marker)
    if not sep:
        return []
    tokens = llm.tokenize(head.encode("utf-8"), add_bos=not rendered.added_special, special=True)
    # the last token may merge with what follows in the whole prompt; leave it to be read
    return list(tokens[:-1])


def _key(llm, model_path: Path, tokens: Sequence[int]) -> str:
    import llama_cpp

    stat = model_path.stat()
    what = [
        model_path.name,
        stat.st_size,
        stat.st_mtime_ns,
        llama_cpp.__version__,
        llm.n_ctx(),
        llm.n_batch,
        list(tokens),
    ]
    return hashlib.sha256(repr(what).encode()).hexdigest()[:20]


def restore_or_save(llm, model_path: Path, folder: Path, messages: Sequence[dict]) -> str:
    """Before a fresh model's first prompt: restore the opening's state from `folder`, or read
    the opening now and save its state there. Returns what happened ("restored", "saved",
    "skipped"), for the log and the tests."""
    if llm.n_tokens:
        return "skipped"  # the model already holds a prompt: llama.cpp reuses its prefix
    tokens = opening(llm, messages)
    if len(tokens) < _MIN_TOKENS:
        return "skipped"
    path = folder / f"prompt-state-{_key(llm, model_path, tokens)}.bin"
    if path.is_file():
        if _restore(llm, path, tokens):
            return "restored"
        with contextlib.suppress(OSError):
            path.unlink()
    llm.eval(tokens)
    _save(llm, path, tokens)
    return "saved"


def _restore(llm, path: Path, tokens: Sequence[int]) -> bool:
    import llama_cpp

    try:
        data = path.read_bytes()
    except OSError:
        return False
    n = len(tokens)
    head = len(_MAGIC) + 4 * (n + 2)
    if not data.startswith(_MAGIC) or len(data) <= head:
        return False
    stored = np.frombuffer(data, dtype="<u4", count=n + 2, offset=len(_MAGIC))
    if int(stored[0]) != n or stored[1:-1].tolist() != list(tokens):
        return False
    if zlib.crc32(memoryview(data)[head:]) != int(stored[-1]):
        return False  # damaged: a torn or altered file
    state = (ctypes.c_uint8 * (len(data) - head)).from_buffer_copy(data, head)
    if llama_cpp.llama_state_set_data(llm._ctx.ctx, state, len(state)) != len(state):
        llm.reset()
        llm._ctx.kv_cache_clear()
        return False
    # Llama.load_state would also zero the whole logits buffer (n_batch x n_vocab floats,
    # 0.4 s here); the rest of the prompt is decoded before anything is sampled, so only the
    # tokens held are set (as Llama.eval does after a decode).
    llm.input_ids[:n] = tokens
    llm.n_tokens = n
    return True


def _save(llm, path: Path, tokens: Sequence[int]) -> None:
    import llama_cpp

    size = llama_cpp.llama_state_get_size(llm._ctx.ctx)
    state = (ctypes.c_uint8 * int(size))()
    written = int(llama_cpp.llama_state_get_data(llm._ctx.ctx, state, size))
    if not 0 < written <= size:
        return
    body = memoryview(state)[:written]
    ids = np.asarray([len(tokens), *tokens, zlib.crc32(body)], dtype="<u4").tobytes()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".prompt-state-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(_MAGIC + ids)
            fh.write(body)
        os.replace(tmp, path)
        for old in sorted(path.parent.glob("prompt-state-*.bin"), key=_age)[_KEEP:]:
            old.unlink()
    except OSError as exc:  # a full disk or a read-only folder: next time, read it again
        log.info("could not keep the prompt's state in %s: %s", path.parent, exc)
        with contextlib.suppress(OSError, UnboundLocalError):
            os.unlink(tmp)


def _age(path: Path) -> float:
    """Newest first: minus the modification time (a file gone meanwhile sorts last)."""
    try:
        return -path.stat().st_mtime
    except OSError:
        return 0.0
