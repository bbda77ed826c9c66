# syntax=docker/dockerfile:1
# IPRWatch application image (api / worker / beat; see docker-compose.yml).
#
#   docker build -t iprwatch .
#   docker run --rm iprwatch iprwatch --help
#
# Debian bookworm is pinned so the library package names match CI (Debian 12).
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# ---------------------------------------------------------------- build stage
FROM ${PYTHON_IMAGE} AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

# Compilers only for dependencies that ship no wheel; they stay in this stage.
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential \
 && rm -rf /var/lib/apt/lists/*

RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /src
COPY . .
RUN pip install --upgrade pip setuptools wheel \
 && pip install .

# -------------------------------------------------------------- runtime stage
FROM ${PYTHON_IMAGE}

# PYTHONPATH=/app: the copied source tree (with its non-Python files such as
# migrations, YAML rules and templates) wins over the installed copy.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/app \
    PATH=/opt/venv/bin:$PATH

# WeasyPrint runtime (Pango, HarfBuzz subsetting), CJK fonts for reports,
# tini as PID 1 so Celery/uvicorn get signals and zombies are reaped.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
      libjpeg62-turbo libopenjp2-7 shared-mime-info fontconfig \
      fonts-noto-cjk \
      ca-certificates tini \
 && rm -rf /var/lib/apt/lists/* \
 && fc-cache -f

RUN groupadd --system --gid 10001 iprwatch \
 && useradd --system --uid 10001 --gid iprwatch --home-dir /app \
      --shell /usr/sbin/nologin iprwatch \
 && install -d -o iprwatch -g iprwatch /app

COPY --from=build /opt/venv /opt/venv
# The source tree too (migrations, templates, config) -- owned by the app user
# so that e.g. celery beat can write its schedule file into the working dir.
WORKDIR /app
COPY --chown=iprwatch:iprwatch . /app

USER iprwatch
EXPOSE 8000

ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["sh", "-c", "iprwatch db upgrade && exec uvicorn api.app:create_app --factory --host 0.0.0.0 --port 8000"]
