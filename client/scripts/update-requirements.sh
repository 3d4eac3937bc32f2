#!/bin/bash
# Regenerate client/requirements.txt (the bundled server's runtime dependencies, hash-pinned) from
# the repository's uv.lock. Run after the server's dependencies change; commit the result.
set -euo pipefail
cd "$(dirname "$0")/../.."
uv export --frozen --no-dev --no-emit-project --format requirements-txt --output-file client/requirements.txt >/dev/null
echo "wrote client/requirements.txt"
