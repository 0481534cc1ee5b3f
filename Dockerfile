# Gazette on CPU. Build: docker build -t gazette .   Run: docker run -p 8000:8000 -v gazette-models:/models gazette
FROM python:3.11-slim

ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    GAZETTE_MODEL_CACHE=/models \
    GAZETTE_DB=/models/jobs.sqlite3 \
    GAZETTE_HOST=0.0.0.0 \
    GAZETTE_PORT=8000

RUN useradd --create-home --uid 10001 gazette && mkdir /models && chown gazette /models
WORKDIR /app

# The CPU build of torch first, from the CPU-only index: the default index would bring CUDA (several GB).
RUN pip install --index-url "$TORCH_INDEX_URL" torch==2.13.0
COPY pyproject.toml README.md ./
COPY service ./service
COPY prompts ./prompts
COPY eval ./eval
RUN pip install .

USER gazette
VOLUME ["/models"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
    CMD python -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)" || exit 1
CMD ["gazette", "serve"]
