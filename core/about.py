"""What this Lantern is: app version, llama.cpp build, and the models with their sha256.

`Lantern --version`, `lantern --version` and the About dialog all show these lines, so a
result can be traced to the exact build and model files that produced it. The hashes are
computed from the files on disk (never taken on trust from a build record), and kept in the
library's hash cache by path, size and mtime (core.filehash), so a model is read once.
"""

from __future__ import annotations

import json
import platform
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from core import lockfile
from core.errors import ModelError
from core.filehash import cached_sha256, sha256_file
from core.settings import PROJECT_ROOT, Settings

# Written by scripts/dist.sh into the bundle: version, commit, build date, llama.cpp CMake flags.
BUILD_INFO = PROJECT_ROOT / "build-info.json"


@dataclass(frozen=True)
class ModelProvenance:
    role: str  # "chat", "judge" or "embedding"
    name: str
    file: Path
    sha256: str


@dataclass(frozen=True)
class Provenance:
    version: str
    build: dict  # build-info.json of a bundle; empty in a checkout
    python: str
    llama_cpp_python: str
    llama_cmake_args: str
    llama_system_info: str
    models: list[ModelProvenance]
    problems: list[str]  # models that could not be found, one line each
    dependencies: str  # the dependency lock and whether this environment matches it


    def lines(self) -> list[str]:
        """Plain text, one fact a line: the --version output and the About dialog's body."""
        built = ""
        if self.build:
            built = f" (commit {self.build.get('commit', '?')}, built {self.build.get('built', '?')})"
        out = [
            f"Lantern {self.version}{built}",
            f"Python {self.python}, {platform.system()} {platform.machine()}",
            f"llama.cpp: llama-cpp-python {self.llama_cpp_python}; "
            f"CMake flags: {self.llama_cmake_args or 'unknown'}",
            f"llama.cpp features: {self.llama_system_info}",
        ]
        for m in self.models:
            out.append(f"{m.role} model: {m.name} ({m.file.name}) sha256 {m.sha256}")
        out.extend(self.problems)
        out.append(self.dependencies)
        return out


def read_build_info() -> dict:
    """The bundle's build record, or {} in a checkout (or if the record is unreadable)."""
    try:
        return json.loads(BUILD_INFO.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def app_version(build: dict | None = None) -> str:
    build = read_build_info() if build is None else build
    if build.get("version"):
        return str(build["version"])
    try:
        return metadata.version("lantern")
    except metadata.PackageNotFoundError:
        return "unknown"


def llama_cmake_args(build: dict) -> str:
    """The CMake flags llama.cpp was compiled with: the bundle's record, else the stamp that
    scripts/bootstrap.sh leaves in the virtualenv (.llama-KEY holds the flags)."""
    if build.get("llama_cmake_args"):
        return str(build["llama_cmake_args"])
    for stamp in sorted(Path(sys.prefix).glob(".llama-*")):
        try:
            return stamp.read_text(encoding="utf-8").strip()
        except OSError:
            continue
    return ""


def _models(settings: Settings) -> tuple[list[ModelProvenance], list[str]]:
    from core.chat_models import default_gguf, judge_gguf
    from core.embed import embedding_weights, resolve_embedding_model

    def digest(path: Path) -> str:
        # the library's hash cache (by path, size and mtime), so --version does not read the
        # 1 GB of model files each time; no library folder is made just for it
        if settings.library.is_dir():
            return cached_sha256(path, settings.library)
        return sha256_file(path)

    found: list[ModelProvenance] = []
    problems: list[str] = []
    try:
        gguf = default_gguf(settings)
        found.append(ModelProvenance("chat", gguf.name, gguf, digest(gguf)))
    except (ModelError, OSError) as exc:
        problems.append(f"chat model: not available ({exc})")
    try:
        if (judge := judge_gguf(settings)) is not None:
            found.append(ModelProvenance("judge", judge.name, judge, digest(judge)))
    except (ModelError, OSError) as exc:
        problems.append(f"judge model: not available ({exc})")
    try:
        folder = resolve_embedding_model(settings.embedding.model)
        weights = embedding_weights(folder)
        found.append(ModelProvenance("embedding", settings.embedding.model, weights,
                                     digest(weights)))
    except (ModelError, OSError) as exc:
        problems.append(f"embedding model: not available ({exc})")
    return found, problems


def provenance(settings: Settings) -> Provenance:
    """Everything --version shows. Loads libllama (not a model) to read its compiled features."""
    import llama_cpp

    build = read_build_info()
    models, problems = _models(settings)
    info = llama_cpp.llama_print_system_info()
    return Provenance(
        version=app_version(build),
        build=build,
        python=platform.python_version(),
        llama_cpp_python=getattr(llama_cpp, "__version__", "unknown"),
        llama_cmake_args=llama_cmake_args(build),
        llama_system_info=(info.decode() if isinstance(info, bytes) else str(info)).strip(),
        models=models,
        problems=problems,
        dependencies=lockfile.describe(build),
    )


def version_text() -> str:
    """`lantern --version` and `Lantern --version`: the lines above, with the user's settings
    (their chat model) or, when the settings file is broken, the defaults' (said on stderr)."""
    from core.errors import LanternError

    try:
        settings = Settings.load()
    except LanternError as exc:
        print(f"lantern: {exc}", file=sys.stderr)
        settings = Settings()
    return "\n".join(provenance(settings).lines())
