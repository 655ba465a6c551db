# TrainLab: the web lab and its REST API on port 8000, results kept in the /data volume.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    TRAINLAB_DATA_DIR=/data

WORKDIR /opt/trainlab
# dependencies first, so that a code change does not reinstall them
COPY pyproject.toml README.md ./
COPY core/__init__.py core/__init__.py
COPY app/__init__.py app/__init__.py
COPY app/api/__init__.py app/api/__init__.py
RUN pip install --no-cache-dir -e . \
    && groupadd --system --gid 10001 trainlab \
    && useradd --system --uid 10001 --gid 10001 --no-create-home trainlab \
    && mkdir -p /data && chown 10001:10001 /data
# the page's templates and static files are read from the source tree, hence the editable install
COPY core core
COPY app app
COPY templates templates
COPY static static

USER 10001:10001
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/api/health', timeout=4)"]
CMD ["trainlab", "serve", "--host", "0.0.0.0", "--port", "8000"]
