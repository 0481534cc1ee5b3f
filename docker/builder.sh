#!/bin/bash
# The builder stage's steps, one per argument. The Dockerfile runs them (each its own layer, so a source change
# does not fetch torch again) and scripts/check_image.sh runs the very same file in a Debian bookworm root: what
# the check builds is what the image builds, not a copy of it kept by hand.
set -euo pipefail

VENV=/opt/build
WHEELS=/wheels
TORCH_VERSION=2.13.0

case "${1:?usage: builder.sh system|venv|torch|wheels}" in
system)
    # Compilers and cmake: llama-cpp-python is published as source only and compiles llama.cpp.
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y --no-install-recommends build-essential cmake
    rm -rf /var/lib/apt/lists/*
    ;;
venv)
    # A venv, not the system's pip: the same commands then work on Debian's own python3.11 (PEP 668 refuses
    # installs into it), which is how the check runs them.
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --upgrade pip
    ;;
torch)
    # Torch's CPU build from the CPU-only index, alone and without its dependencies (they come from PyPI in
    # the next step): the default index would bring a CUDA build and its nvidia-* wheels (several GB).
    mkdir -p "$WHEELS"
    "$VENV/bin/pip" wheel --no-deps --wheel-dir "$WHEELS" --index-url "${TORCH_INDEX_URL:?}" "torch==$TORCH_VERSION"
    ;;
wheels)
    # Every wheel the runtime needs: the project's and each dependency's, sdists (llama-cpp-python, jieba,
    # rouge-score) built here. torch==2.13.0 is met by the +cpu wheel already in $WHEELS, which sorts above
    # PyPI's 2.13.0, so the CUDA build is never fetched; the check asserts that.
    # GGML_NATIVE=OFF: llama.cpp would otherwise compile for the build machine's own CPU (-march=native), and
    # an image built on a newer CPU dies with SIGILL on an older one; OFF targets AVX2/FMA (x86-64-v3).
    export CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=OFF}"
    # [postgres]: psycopg 3 (binary wheels), so that one image serves GAZETTE_DB=postgresql://… (deploy/).
    "$VENV/bin/pip" wheel --wheel-dir "$WHEELS" --find-links "$WHEELS" ".[postgres]"
    ;;
*)
    echo "builder.sh: unknown step $1" >&2
    exit 2
    ;;
esac
