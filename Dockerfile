# Casebook container image.
#
#   docker build -t casebook .
#   docker run --rm -p 8080:8080 casebook
#
# Needs BuildKit (the default builder since Docker 23) for the cache mounts.

# ---- build stage -----------------------------------------------------------
FROM rust:1.95-bookworm AS build

WORKDIR /src

# migrations/ and static/ are embedded into the binary at compile time, so the
# whole source tree (minus what .dockerignore drops) goes into the build.
COPY . .

# The cargo registry and target/ live in cache mounts so that rebuilds reuse
# compiled dependencies; the finished binary is copied out of the mount.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/usr/local/cargo/git \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --bin casebook \
 && install -D -m 0755 target/release/casebook /out/casebook

# ---- runtime stage ---------------------------------------------------------
FROM debian:bookworm-slim AS runtime

# ca-certificates: outbound TLS (Meilisearch, mail, webhooks).
# curl: the HEALTHCHECK below.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 casebook \
 && useradd --system --uid 10001 --gid casebook --home-dir /var/lib/casebook \
      --no-create-home --shell /usr/sbin/nologin casebook \
 && install -d -m 0750 -o casebook -g casebook /var/lib/casebook

COPY --from=build /out/casebook /usr/local/bin/casebook

ENV CASEBOOK_BIND=0.0.0.0:8080 \
    CASEBOOK_DATA_DIR=/var/lib/casebook

WORKDIR /var/lib/casebook
# Numeric ids, so that runtimes that check "runAsNonRoot" can verify them.
USER 10001:10001

EXPOSE 8080

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["curl", "-fsS", "http://127.0.0.1:8080/healthz"]

ENTRYPOINT ["casebook"]
CMD ["serve"]
