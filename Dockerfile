# Every service's image, from one file: the build argument names the service.
#   docker build --build-arg SERVICE=ras -t registry.example.org/personal-budgets/ras:0.1.0 .
# Built from the repository root, because the image needs shared/ as well as services/<SERVICE>/.
FROM python:3.11-slim

ARG SERVICE
# Kept in the image, so the default command knows which service it is (not a PB_ setting).
ENV SERVICE=${SERVICE} \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN test -n "$SERVICE" || { echo "build with --build-arg SERVICE=<name> (see tools/services.py)" >&2; exit 1; }

RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --no-create-home --shell /usr/sbin/nologin app

WORKDIR /app
COPY requirements-dev.txt ./
COPY shared/ shared/
COPY services/${SERVICE}/ services/${SERVICE}/

# A plain (non-editable) install: the Alembic revisions travel inside the service's package and
# env.py inside pbshared's, so nothing is read from the source tree, which is removed. The
# constraints pin every dependency to the versions the tests ran against.
RUN pip install --no-cache-dir --constraint requirements-dev.txt ./shared "./services/${SERVICE}" \
    && rm -rf shared services requirements-dev.txt

USER 10001:10001

EXPOSE 8000

# `serve` and `worker` both answer /health on 8000.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4)"]

# Migrations first, so the API never serves an old schema; exec makes the server PID 1, so it receives
# the SIGTERM of `docker stop` and shuts down cleanly. Kubernetes overrides this command: an
# initContainer migrates, then one Deployment runs `serve --no-messaging` and another `worker`
# (deploy/k8s/<service>.yaml, generated).
CMD ["sh", "-c", "python -m \"$SERVICE\" migrate && exec python -m \"$SERVICE\" serve --host 0.0.0.0 --port 8000"]
