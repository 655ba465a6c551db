# TrainLab: the web lab and its REST API on port 8000, results kept in the /data volume.
# The project is built into a wheel and installed like any package (page files are package data): the image
# holds no source tree.
FROM python:3.11-slim AS wheel
WORKDIR /src
COPY pyproject.toml README.md ./
COPY core core
COPY app app
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    TRAINLAB_DATA_DIR=/data

COPY --from=wheel /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl \
    && rm -rf /wheels \
    && groupadd --system --gid 10001 trainlab \
    && useradd --system --uid 10001 --gid 10001 --no-create-home trainlab \
    && mkdir -p /data && chown 10001:10001 /data

WORKDIR /data
USER 10001:10001
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/api/health', timeout=4)"]
CMD ["trainlab", "serve", "--host", "0.0.0.0", "--port", "8000"]
