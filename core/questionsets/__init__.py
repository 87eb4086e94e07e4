"""Question sets: small TOML files of questions answered over every paper (`lantern extract`).

    id = "dl-methods"
    title = "Deep-learning methods"

    [[questions]]
    id = "hardware"                  # letters, digits, '-' and '_'; unique in the set
    label = "Hardware"               # the table's column heading; unique in the set
    question = "Which hardware (GPUs, TPUs) was used to train the models?"
    keywords = ["GPU", "TPU"]        # optional: words answers use; they join the retrieval
                                     # query, and a sentence holding one counts as an answer
    sections = ["methods"]           # optional: passages from these sections rank higher

Built-in sets ship beside this file and are named `builtin:NAME`. A file is at most
MAX_FILE_BYTES, and each question at most as long as `lantern ask` takes one: a hostile file
(10 MB questions, tables nested 100,000 deep) gets one line, not hours of work or a traceback.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
import stat
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from core import vocab
from core.errors import LanternError

BUILTIN_PREFIX = "builtin:"

SECTIONS = frozenset(vocab.SECTIONS)  # the section names ingest gives chunks

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_SET_KEYS = ("id", "title", "description", "questions")
_QUESTION_KEYS = ("id", "label", "question", "keywords", "sections")
MAX_FILE_BYTES = 1 << 20  # 1 MiB: the built-in set is 3 KB; 100 questions at the limit 200 KB
MAX_QUESTION_CHARS = 2000  # as core.asking.MAX_QUESTION_CHARS (not imported: it loads retrieval)
MAX_LABEL_CHARS = 200


class QuestionSetError(LanternError):
    """A question set file is missing or malformed; the message names the file and the spot."""


@dataclass(frozen=True)
class Question:
    id: str
    label: str
    question: str
    keywords: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()

    @property
    def query(self) -> str:
        """What retrieval searches for: the question and its hint keywords."""
        return " ".join((self.question, *self.keywords))

    @property
    def hash(self) -> str:
        """Changes when anything that shapes the answer changes (not the label)."""
        key = json.dumps([self.question, self.keywords, self.sections])
        return hashlib.sha256(key.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class QuestionSet:
    id: str
    title: str
    questions: tuple[Question, ...]
    description: str = ""
    source: str = ""  # the file it came from, or builtin:NAME


def builtin_sets() -> list[str]:
    """Names of the built-in question sets (use them as builtin:NAME)."""
    return sorted(f.name.removesuffix(".toml") for f in resources.files(__name__).iterdir()
                  if f.name.endswith(".toml"))


def load_question_set(spec: str | Path) -> QuestionSet:
    """A question set from `builtin:NAME` or a TOML file path."""
    spec_text = str(spec)
    if spec_text.startswith(BUILTIN_PREFIX):
        name = spec_text.removeprefix(BUILTIN_PREFIX)
        resource = resources.files(__name__).joinpath(f"{name}.toml")
        if not resource.is_file():
            known = ", ".join(BUILTIN_PREFIX + n for n in builtin_sets())
            raise QuestionSetError(f"{spec_text}: no such built-in question set (known: {known})")
        return parse_question_set(resource.read_text(encoding="utf-8"), spec_text)
    path = Path(spec).expanduser()
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):  # a FIFO would block, a device never end
            raise QuestionSetError(f"{path}: not a file; give a question set's .toml file")
        if info.st_size > MAX_FILE_BYTES:
            raise QuestionSetError(f"{path}: too large for a question set ({info.st_size:,} "
                                   f"bytes; the limit is {MAX_FILE_BYTES:,})")
        with path.open("rb") as fh:
            text = fh.read(MAX_FILE_BYTES + 1).decode("utf-8")
    except FileNotFoundError:
        raise QuestionSetError(f"{path}: question set file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise QuestionSetError(f"{path}: cannot read the question set ({exc})") from exc
    return parse_question_set(text, str(path))


def parse_question_set(text: str, source: str = "<question set>") -> QuestionSet:
    """Parse and check a question set; every error names the source and the question."""
    if len(text.encode("utf-8", errors="surrogatepass")) > MAX_FILE_BYTES:
        raise QuestionSetError(f"{source}: too large for a question set (the limit is "
                               f"{MAX_FILE_BYTES:,} bytes)")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise QuestionSetError(f"{source}: not valid TOML: {exc}") from exc
    except RecursionError:  # tomllib parses nested arrays and tables recursively
        raise QuestionSetError(f"{source}: arrays or tables nested too deeply for a question "
                               "set") from None
    top = f"{source}: "
    _check_keys(data, _SET_KEYS, top)
    set_id = _id(data, top)
    title = _string(data, "title", top)
    description = _string(data, "description", top, required=False)
    raw = data.get("questions")
    if not isinstance(raw, list) or not raw:
        raise QuestionSetError(f"{top}needs at least one [[questions]] table")

    # tomllib keeps no positions: the n-th [[questions]] header is question n's line
    headers = [n for n, line in enumerate(text.splitlines(), start=1)
               if re.match(r"\s*\[\[\s*questions\s*\]\]", line)]
    questions: list[Question] = []
    seen_ids: dict[str, int] = {}
    seen_labels: dict[str, int] = {}
    for i, item in enumerate(raw, start=1):
        where = f"{source}: " + (f"line {headers[i - 1]}, " if len(headers) == len(raw) else "")
        where += f"question {i}"
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            where += f" ({item['id']!r})"
        where += ": "
        if not isinstance(item, dict):
            raise QuestionSetError(f"{where}must be a table with id, label and question")
        _check_keys(item, _QUESTION_KEYS, where)
        qid = _id(item, where)
        if qid in seen_ids:
            raise QuestionSetError(f"{where}duplicate id {qid!r} "
                                   f"(question {seen_ids[qid]} has it too)")
        label = _string(item, "label", where, limit=MAX_LABEL_CHARS)
        if label.casefold() in seen_labels:
            raise QuestionSetError(f"{where}duplicate label {label!r} "
                                   f"(question {seen_labels[label.casefold()]} has it too)")
        question = _string(item, "question", where, limit=MAX_QUESTION_CHARS)
        keywords = _strings(item, "keywords", where)
        sections = tuple(s.lower() for s in _strings(item, "sections", where))
        if unknown := [s for s in sections if s not in SECTIONS]:
            raise QuestionSetError(f"{where}unknown section {unknown[0]!r} "
                                   f"(known: {', '.join(sorted(SECTIONS))})")
        seen_ids[qid] = seen_labels[label.casefold()] = i
        questions.append(Question(qid, label, question, keywords, sections))
    return QuestionSet(set_id, title, tuple(questions), description, source)


def _check_keys(table: dict, allowed: tuple[str, ...], where: str) -> None:
    for key in table:
        if key not in allowed:
            close = difflib.get_close_matches(key, allowed, n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"allowed: {', '.join(allowed)}"
            raise QuestionSetError(f"{where}unknown key {key!r} ({hint})")


def _id(table: dict, where: str) -> str:
    value = _string(table, "id", where)
    if not _ID.match(value):
        raise QuestionSetError(f"{where}id {value!r} may hold only letters, digits, '-' and '_'")
    return value


def _string(
    table: dict, key: str, where: str, *, required: bool = True, limit: int = MAX_QUESTION_CHARS
) -> str:
    value = table.get(key)
    if value is None:
        if required:
            raise QuestionSetError(f"{where}missing {key!r}")
        return ""
    if not isinstance(value, str):
        raise QuestionSetError(f"{where}{key!r} must be a string, not {type(value).__name__}")
    value = " ".join(value.split())
    if required and not value:
        raise QuestionSetError(f"{where}{key!r} is empty")
    if len(value) > limit:
        same = ", as for `lantern ask`" if key == "question" else ""
        raise QuestionSetError(f"{where}{key!r} is too long ({len(value):,} characters; the "
                               f"limit is {limit:,}{same})")
    return value


def _strings(table: dict, key: str, where: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise QuestionSetError(f"{where}{key!r} must be a list of non-empty strings")
    if sum(len(v) for v in value) > MAX_QUESTION_CHARS:  # they join the retrieval query
        raise QuestionSetError(f"{where}{key!r} are too long together (the limit is "
                               f"{MAX_QUESTION_CHARS:,} characters)")
    return tuple(v.strip() for v in value)
