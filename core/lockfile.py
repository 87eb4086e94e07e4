"""The dependency lock: `requirements.lock`, every package set-up installs, exact and hashed.

`scripts/bootstrap.sh` installs from it (`pip install --require-hashes`), `make lock` re-resolves
it (scripts/lock.sh), and `lantern --version` names its sha256 and whether this environment
matches it, so a bug report names the exact stack. Standard library only: the bootstrap runs
this before anything else is installed.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

# the checkout's root; in the bundle, the folder the spec copies requirements.lock into
LOCK = Path(__file__).resolve().parent.parent / "requirements.lock"
# `name==version \` opens a requirement; its `--hash=` lines follow, indented.
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def normalize(name: str) -> str:
    """PEP 503 name: `PySide6_Essentials` and `pyside6-essentials` are one package."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass(frozen=True)
class Lock:
    path: Path
    sha256: str
    pins: dict[str, str]  # normalized name -> exact version

    def short(self) -> str:
        return f"{self.path.name} sha256 {self.sha256[:16]} ({len(self.pins)} packages)"


def read(path: Path = LOCK) -> Lock:
    """The lock's pins and the file's sha256 (OSError if it is missing)."""
    data = path.read_bytes()
    pins = {}
    for line in data.decode("utf-8").splitlines():
        if m := _PIN.match(line):
            pins[normalize(m.group(1))] = m.group(2)
    return Lock(path, hashlib.sha256(data).hexdigest(), pins)


def blocks(path: Path = LOCK) -> dict[str, list[str]]:
    """Each requirement's lines (the pin, its hashes and comments), by normalized name."""
    out: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if m := _PIN.match(line):
            current = out.setdefault(normalize(m.group(1)), [])
        elif not line.startswith(" "):
            current = None  # the header's comments and options
        if current is not None:
            current.append(line)
    return out


def differences(lock: Lock, *, project: str = "lantern") -> list[str]:
    """Where the installed distributions differ from the lock: one line each, missing or at
    another version. Packages installed beside the lock (the bench group, say) are not counted."""
    installed = {normalize(d.metadata["Name"] or ""): d.version for d in metadata.distributions()}
    out = []
    for name, version in sorted(lock.pins.items()):
        have = installed.get(name)
        if name == normalize(project):
            continue
        if have is None:
            out.append(f"{name}: not installed (locked {version})")
        elif have != version:
            out.append(f"{name}: {have} installed, locked {version}")
    return out


def extras(lock: Lock, *, keep: tuple[str, ...] = ("pip", "lantern")) -> list[str]:
    """Installed distributions the lock does not hold (left by an earlier, unlocked set-up):
    the bootstrap removes them, so the environment is the lock and nothing else."""
    names = {normalize(d.metadata["Name"] or "") for d in metadata.distributions()}
    return sorted(names - set(lock.pins) - {normalize(k) for k in keep} - {""})


def describe(build: dict) -> str:
    """The --version line: the lock a bundle was built from (its build record), or the
    checkout's lock and whether this environment matches it."""
    if build.get("lock_sha256"):
        return f"dependencies: requirements.lock sha256 {str(build['lock_sha256'])[:16]} (bundled)"
    try:
        lock = read()
    except OSError:
        return "dependencies: no requirements.lock found (not installed by scripts/bootstrap.sh)"
    diff = differences(lock)
    state = "all as locked" if not diff else f"{len(diff)} differ: " + "; ".join(diff[:3])
    return f"dependencies: {lock.short()}, {state}"
