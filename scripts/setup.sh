#!/usr/bin/env bash
# Installs what the tests, the benchmarks and `npm start` need beyond npm packages, on a fresh
# Debian machine: the real peers (cloud-init, shellcheck, OpenSSH sshd, vsftpd, protoc, Chromium)
# and moto server in a project-local Python virtual environment (.venv). Idempotent and quick when
# everything is already there. Usage: scripts/setup.sh [--python-only]
set -euo pipefail
cd "$(dirname "$0")/.."

MOTO_VERSION="5.2.5"
AWSCLI_VERSION="1.46.3"
PYTHON="${PYTHON:-python3}"

log() { printf '[setup] %s\n' "$*" >&2; }

install_debian_packages() {
  local missing=()
  command -v cloud-init >/dev/null 2>&1 || missing+=(cloud-init)
  command -v shellcheck >/dev/null 2>&1 || missing+=(shellcheck)
  [ -x /usr/sbin/sshd ] || missing+=(openssh-server)
  [ -x /usr/sbin/vsftpd ] || missing+=(vsftpd)
  command -v protoc >/dev/null 2>&1 || missing+=(protobuf-compiler)
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  command -v openssl >/dev/null 2>&1 || missing+=(openssl)
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  # A second Node line for the REST timeout test under forced GC (test/integration/connectors/rest-timeout.test.ts).
  [ -x /usr/bin/node ] || missing+=(nodejs)
  # Partner files: OpenPGP by gpg (the worker image installs it too), zip checked by `unzip -t` in tests.
  command -v gpg >/dev/null 2>&1 || missing+=(gnupg)
  command -v unzip >/dev/null 2>&1 || missing+=(unzip)
  [ "${#missing[@]}" -eq 0 ] && { log "Debian packages: all present"; return 0; }
  if [ "$(id -u)" -ne 0 ]; then
    log "missing Debian packages: ${missing[*]}"
    log "install them with: sudo apt-get install -y --no-install-recommends ${missing[*]}"
    exit 1
  fi
  log "installing Debian packages: ${missing[*]}"
  # Keep package scripts from starting sshd/vsftpd as system services: the tests start their own
  # instances on loopback ports and stop them afterwards.
  local created_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
    created_policy=1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  [ "$created_policy" -eq 1 ] && rm -f /usr/sbin/policy-rc.d
  log "Debian packages installed"
}

install_python_env() {
  local stamp=".venv/.jobworker-moto-${MOTO_VERSION}-awscli-${AWSCLI_VERSION}"
  if [ -f "$stamp" ]; then log "moto server: .venv ready"; return 0; fi
  log "creating .venv with moto[server]==${MOTO_VERSION} and awscli==${AWSCLI_VERSION}"
  "$PYTHON" -m venv .venv
  .venv/bin/pip install -q --disable-pip-version-check "moto[server]==${MOTO_VERSION}" "awscli==${AWSCLI_VERSION}"
  touch "$stamp"
  log "moto server installed: .venv/bin/moto_server"
}

if [ "${1:-}" != "--python-only" ]; then install_debian_packages; fi
install_python_env
