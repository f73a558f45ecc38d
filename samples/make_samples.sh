#!/usr/bin/env bash
# Regenerate the sample voicemails in samples/ (see samples/README.md).
# Needs: apt-get install espeak-ng flite festival festvox-us-slt-hts sox libsox-fmt-all
# and a Python with PyAV for the Opus/AAC files (default: <repo>/.venv/bin/python,
# override with VMCHECK_PY=/path/to/python).  Pass sample names to build only those.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
py="${VMCHECK_PY:-$here/../.venv/bin/python}"
[ -x "$py" ] || py="$(command -v python3)"
export VMCHECK_PY="$py"
exec "$py" "$here/make_samples.py" "$@"
