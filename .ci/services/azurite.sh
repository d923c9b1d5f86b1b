#!/usr/bin/env bash
# Starts a private Azurite blob service for the tests (idempotent) and writes EXITKIT_TEST_AZURITE to the state's env file.
# Azurite is installed from npm into a local prefix when it is not on PATH, so the machine's global npm is left alone.
set -euo pipefail
state="${1:-/tmp}"
port="${EXITKIT_AZURITE_PORT:-10000}"
version="3.37.0"
prefix="${EXITKIT_AZURITE_PREFIX:-/tmp/exitkit-azurite-npm}"
data="/tmp/exitkit-azurite"
bin="$(command -v azurite-blob 2>/dev/null || true)"
if [ -z "$bin" ] && [ -x "$prefix/bin/azurite-blob" ]; then bin="$prefix/bin/azurite-blob"; fi
if [ -z "$bin" ]; then
  command -v npm >/dev/null || { echo "npm not found: install Node.js 20 or later to run Azurite" >&2; exit 1; }
  echo "Azurite not found: installing azurite@$version into $prefix"
  npm install --silent --no-audit --no-fund --prefix "$prefix" -g "azurite@$version" >/dev/null
  bin="$prefix/bin/azurite-blob"
fi
answers() { (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; }
if ! answers; then
  mkdir -p "$data"
  nohup "$bin" --blobHost 127.0.0.1 --blobPort "$port" --location "$data" --skipApiVersionCheck --disableTelemetry --silent \
    > "$data/azurite.log" 2>&1 &
  for _ in $(seq 1 60); do answers && break; sleep 0.5; done
  answers || { echo "Azurite did not answer on 127.0.0.1:$port; see $data/azurite.log" >&2; exit 1; }
fi
# The well-known development account of the Azurite documentation; it guards nothing.
key="Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
# Quoted: .ci/test sources this file, and an unquoted ';' would end the assignment.
echo "EXITKIT_TEST_AZURITE='DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$key;BlobEndpoint=http://127.0.0.1:$port/devstoreaccount1;'" >> "$state/env"
echo "Azurite ready on 127.0.0.1:$port ($("$bin" --version 2>/dev/null || echo "azurite $version"))"
