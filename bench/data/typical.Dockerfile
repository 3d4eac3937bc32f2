# syntax=docker/dockerfile:1
FROM python:3.12-slim AS build
ARG APP_HOME=/app
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
WORKDIR ${APP_HOME}
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      build-essential \
      gcc \
      git \
      libpq-dev \
      curl \
 && rm -rf /var/lib/apt/lists/*
COPY . .
RUN pip install --no-cache-dir -r requirements.txt

# runtime image: non-root, only what the service needs
FROM python:3.12-slim AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/home/app/.local/bin:$PATH
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpq5 \
 && rm -rf /var/lib/apt/lists/*
RUN groupadd --gid 1000 app \
 && useradd --uid 1000 --gid app --create-home app
USER app
WORKDIR ${APP_HOME}
COPY --chown=app:app requirements.txt .
RUN --mount=type=cache,target=/root/.cache/pip \
    pip install --user -r requirements.txt
COPY --from=build --chown=app:app ${APP_HOME}/src ./src
COPY --chown=app:app gunicorn.conf.py .
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s \
  CMD curl -fsS http://localhost:8000/healthz || exit 1
CMD ["gunicorn", "-c", "gunicorn.conf.py", "app.wsgi:application"]
