# One image for the web app and the scheduler (docker-compose.yml runs both).
# The project is installed exactly as pyproject.toml declares it: `pip install .`,
# no extras, no separate requirements file that could drift.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# What pyproject.toml's [tool.setuptools] packages list, plus the files the build reads.
COPY pyproject.toml README.md ./
COPY summitwatch ./summitwatch
COPY crawler ./crawler
COPY scheduler ./scheduler
COPY storage ./storage
COPY digests ./digests
COPY tracker ./tracker
COPY web ./web
RUN pip install . \
 && rm -rf /app/build

# Never run as root: a dedicated user owns the data directory (SQLite, outbox, secret key).
RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin summitwatch \
 && mkdir -p /data \
 && chown summitwatch:summitwatch /data
USER summitwatch
WORKDIR /home/summitwatch

ENV SUMMITWATCH_DATA_DIR=/data \
    SUMMITWATCH_WEB__HOST=0.0.0.0
VOLUME ["/data"]
EXPOSE 8000

CMD ["summitwatch", "run", "--host", "0.0.0.0"]
