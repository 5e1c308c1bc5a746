# One image for every service; compose picks the module to run.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY gen ./gen
COPY services ./services
COPY gateway ./gateway
COPY migrations ./migrations
COPY proto ./proto
RUN pip install --no-cache-dir .
ENV ENVIRONMENT=production LOG_FORMAT=json HOST=0.0.0.0
