# Werkwijzer's image: one image for every process (`python -m bot serve rasa|actions|webapp`, and
# `python -m bot purge` for retention), built with the same Makefile targets as a developer uses.
# The model is trained while the image is built, so a container starts in seconds.
#
#   docker build -t werkwijzer .
#   docker compose up        (compose.yaml: PostgreSQL, Redis and the three processes)
#
# Not built on the project's own build machine, which can fetch no base image (docs/deployment.md).
FROM python:3.10-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    RASA_TELEMETRY_ENABLED=false \
    MPLCONFIGDIR=/tmp/matplotlib \
    PATH=/app/.venv/bin:$PATH

# make for the Makefile; nothing else from the OS (the wheels of requirements.lock are prebuilt).
RUN apt-get update \
 && apt-get install -y --no-install-recommends make \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 10001 werkwijzer

WORKDIR /app
RUN chown werkwijzer:werkwijzer /app
USER werkwijzer

# The pinned packages first, in a layer of their own: it is rebuilt only when the pins change.
COPY --chown=werkwijzer:werkwijzer requirements.lock pyproject.toml ./
RUN python3.10 -m venv .venv && .venv/bin/pip install --no-cache-dir -r requirements.lock

# Then the project; `make train` = build the responses, check the rules, install, train.
COPY --chown=werkwijzer:werkwijzer . .
RUN make train PYTHON310=/usr/local/bin/python3.10 && rm -rf .rasa reports

EXPOSE 5005 5055 8080
ENTRYPOINT ["python", "-m", "bot", "serve"]
CMD ["rasa"]
