# syntax=docker/dockerfile:1

# ---- build ----------------------------------------------------------------
# SQLite is linked through cgo, so the binary is built against glibc here and
# run on the same Debian release below.
FROM golang:1.26-bookworm AS build

WORKDIR /src

# Dependencies first, so that a change to the code alone reuses this layer.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod \
    go mod download

COPY . .
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=1 go build -trimpath -ldflags "-s -w" -o /out/cpcready ./cmd/cpcready

# ---- runtime --------------------------------------------------------------
FROM debian:bookworm-slim

# ca-certificates: TLS to PostgreSQL and to the identity provider's JWKS.
# tzdata: the binary embeds Europe/London, which every date is read in; the
#         system copy keeps logs and tools in step with it.
# sqlite3: for online backups of the database (docs/operations.md).
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates tzdata sqlite3 \
 && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 cpcready \
 && useradd --system --uid 10001 --gid cpcready --home-dir /data --no-create-home \
        --shell /usr/sbin/nologin cpcready \
 && mkdir -p /data \
 && chown cpcready:cpcready /data

COPY --from=build /out/cpcready /usr/local/bin/cpcready

ENV CPCREADY_ADDR=:8080 \
    CPCREADY_DATABASE_URL=/data/cpcready.db

# The ownership set above is kept when Docker creates the volume.
VOLUME /data
WORKDIR /data
USER cpcready:cpcready

EXPOSE 8080

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["cpcready", "healthcheck"]

# serve drains on SIGTERM (/readyz answers 503, then in-flight requests
# finish); give the container a stop timeout longer than
# CPCREADY_SHUTDOWN_TIMEOUT plus a few seconds, e.g. docker run --stop-timeout 30.
STOPSIGNAL SIGTERM
ENTRYPOINT ["cpcready"]
CMD ["serve"]
