#!/usr/bin/env bash
# The README's demo command: installs what is needed, then starts the server on the
# embedded database with a seeded demo clinic and simulated homes, on free ports.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec pnpm -s demo "$@"
