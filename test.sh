#!/usr/bin/env bash
# Installs the real clients the tests use (Debian packages), then builds and runs every test.
# A test that needs a client fails, never skips, when the client is missing.
set -euo pipefail
cd "$(dirname "$0")"
packages=(qemu-utils libnbd-bin fio awscli python3-boto3 curl jq)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "test.sh: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi
mvn -B -ntp verify
