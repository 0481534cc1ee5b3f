#!/bin/bash
# The runtime stage's steps, one per argument: run by the Dockerfile and, unchanged, by scripts/check_image.sh
# in a bookworm root without compilers. Nothing here builds anything: only wheels from the builder go in.
set -euo pipefail

VENV=/opt/gazette
WHEELS=${GAZETTE_WHEELS:-/wheels}

case "${1:?usage: runtime.sh system|install}" in
system)
    # libgomp1: llama.cpp's CPU backend links the system's OpenMP runtime (torch carries its own copy);
    # the slim base image does not have it.
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y --no-install-recommends libgomp1
    rm -rf /var/lib/apt/lists/*
    # A fixed uid, so that a volume made by one image version is writable by the next.
    useradd --create-home --uid 10001 gazette
    mkdir -p /models
    chown gazette /models
    ;;
install)
    # --no-index: only the builder's wheels, never a registry, so nothing can be compiled or swapped here.
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --no-cache-dir --no-index --find-links "$WHEELS" "gazette[postgres]"
    ;;
*)
    echo "runtime.sh: unknown step $1" >&2
    exit 2
    ;;
esac
