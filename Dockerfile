# Gazette on CPU, in two stages: a builder with compilers makes every wheel (llama-cpp-python is published as
# source only and compiles llama.cpp), and a slim runtime without any compiler installs only those wheels.
# Build: docker build -t gazette .        (BuildKit, Docker's default builder since 23.0: the runtime stage
#                                           mounts the builder's wheels instead of copying them into a layer)
# Run:   docker run -p 8000:8000 -v gazette-models:/models gazette
# The steps of both stages are docker/builder.sh and docker/runtime.sh; scripts/check_image.sh runs the same
# two files in Debian bookworm roots made with debootstrap (README, "The container image").
# bookworm, named: the plain python:3.11-slim tag moves to each new Debian release, and the check is bookworm's.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS builder
# The CPU-only index: the default one would bring torch's CUDA build (several GB).
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
# Passed to llama.cpp's cmake; empty means -DGGML_NATIVE=OFF (portable, AVX2), see docker/builder.sh.
ARG CMAKE_ARGS
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
COPY docker/builder.sh /usr/local/bin/gazette-builder
RUN gazette-builder system
RUN gazette-builder venv
# torch before the sources, in its own layer: a change to the code does not fetch it again.
RUN gazette-builder torch
WORKDIR /src
COPY pyproject.toml README.md ./
COPY service ./service
COPY eval ./eval
RUN gazette-builder wheels

FROM ${PYTHON_IMAGE} AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    GAZETTE_MODEL_CACHE=/models \
    GAZETTE_DB=/models/jobs.sqlite3 \
    GAZETTE_HOST=0.0.0.0 \
    GAZETTE_PORT=8000
COPY docker/runtime.sh /usr/local/bin/gazette-runtime
RUN gazette-runtime system
RUN --mount=type=bind,from=builder,source=/wheels,target=/wheels gazette-runtime install
ENV PATH=/opt/gazette/bin:$PATH
# prompts/ is read from the working directory when the package is installed (service/models/prompts.py).
WORKDIR /app
COPY prompts ./prompts

USER gazette
# The model cache and the job store (GAZETTE_DB) both live here: one volume keeps both across upgrades.
VOLUME ["/models"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
    CMD python -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)" || exit 1
CMD ["gazette", "serve"]
