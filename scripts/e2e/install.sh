#!/usr/bin/env bash
# Installs what the end-to-end tests need, idempotently (a few seconds when all is there):
#  - Debian packages: chromium (the browser Playwright drives), ripgrep and libkrb5-dev
#    (code-server's native dependencies),
#  - code-server 4.100.3 (VS Code 1.100.3's server and web workbench; later versions need
#    Node 22) into .cache/code-server/, outside the project's dependency tree.
# Works as root on a fresh Debian bookworm machine that reaches only the npm registry and
# Debian's mirrors. See shared E2E notes and README "End-to-end tests".
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD

CODE_SERVER_VERSION=4.100.3
# @vscode/ripgrep's version inside code-server 4.100.3 and the ripgrep build it would download.
VSCODE_RIPGREP_VERSION=1.15.11
RIPGREP_VERSION=v13.0.0-10
PREFIX="$ROOT/.cache/code-server"
MARKER="$PREFIX/.installed-$CODE_SERVER_VERSION"

log() { echo "[e2e-install] $*"; }

# --- Debian packages --------------------------------------------------------------------------
need=()
for pkg in chromium ripgrep libkrb5-dev; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
        need+=("$pkg")
    fi
done
if ((${#need[@]})); then
    SUDO=()
    if [ "$(id -u)" != 0 ]; then
        command -v sudo >/dev/null || { log "need root (or sudo) to install: ${need[*]}"; exit 1; }
        SUDO=(sudo)
    fi
    log "apt-get install ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    "${SUDO[@]}" apt-get update -qq
    "${SUDO[@]}" apt-get install -y -qq "${need[@]}"
fi

# --- code-server -------------------------------------------------------------------------------
CS_BIN="$PREFIX/node_modules/.bin/code-server"
if [ -f "$MARKER" ] && [ -x "$CS_BIN" ]; then
    log "code-server $CODE_SERVER_VERSION already installed in .cache/code-server"
else
    # @vscode/ripgrep's postinstall downloads ripgrep from a host this machine cannot reach, but it
    # first looks in a cache under os.tmpdir(): put Debian's rg there as the tarball it expects.
    case "$(uname -m)" in
        x86_64) RG_TARGET=x86_64-unknown-linux-musl ;;
        aarch64) RG_TARGET=aarch64-unknown-linux-musl ;;
        *) log "unsupported architecture $(uname -m)"; exit 1 ;;
    esac
    TMP="${TMPDIR:-/tmp}"
    RG_CACHE="$TMP/vscode-ripgrep-cache-$VSCODE_RIPGREP_VERSION"
    RG_TAR="$RG_CACHE/ripgrep-$RIPGREP_VERSION-$RG_TARGET.tar.gz"
    if [ ! -s "$RG_TAR" ]; then
        mkdir -p "$RG_CACHE"
        stage=$(mktemp -d)
        cp "$(command -v rg)" "$stage/rg"
        tar -czf "$RG_TAR.tmp" -C "$stage" rg && mv "$RG_TAR.tmp" "$RG_TAR"
        rm -rf "$stage"
        log "ripgrep cache: $RG_TAR"
    fi

    mkdir -p "$PREFIX"
    rm -f "$PREFIX"/.installed-*
    # Its own package.json so npm treats this folder as the project (not the repository's).
    cat >"$PREFIX/package.json" <<JSON
{ "name": "convscope-e2e-code-server", "private": true, "description": "code-server for Convscope's end-to-end tests (scripts/e2e/install.sh)" }
JSON
    log "npm install code-server@$CODE_SERVER_VERSION (1-2 minutes on a fresh machine)"
    # npm_config_yes lets an inner `npx node-gyp` run without a prompt; argon2 and kerberos
    # fall back to building from source (python3, make, g++ and Node's headers are on the machine).
    (cd "$PREFIX" && npm_config_yes=true npm install --unsafe-perm --no-audit --no-fund \
        --no-save --loglevel=error "code-server@$CODE_SERVER_VERSION")
    "$CS_BIN" --version >/dev/null
    touch "$MARKER"
fi

# --- versions -----------------------------------------------------------------------------------
log "chromium:    $(/usr/bin/chromium --version 2>/dev/null | sed -n 1p)"
log "ripgrep:     $(rg --version | sed -n 1p)"
log "code-server: $("$CS_BIN" --version 2>/dev/null | sed -n 1p)"
