#!/usr/bin/env bash
# Print the path of a Python >= 3.12 that can create a virtual environment, or fail.
#
# $FEIDI_PYTHON, when set, is the only candidate. Otherwise, in order: python3.12 / 3.13 / 3.14
# on PATH, pyenv installations (~/.pyenv/versions/3.1[234].*), /usr/local/bin, /usr/bin, then
# plain python3.
# Every candidate is *run* before it is chosen: pyenv shims exist on PATH even when their version
# is not selected, and then fail.
set -euo pipefail

ok() {
    "$1" -c 'import sys, venv, ensurepip; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1
}

if [[ -n "${FEIDI_PYTHON:-}" ]]; then
    if ok "$FEIDI_PYTHON"; then
        command -v "$FEIDI_PYTHON"
        exit 0
    fi
    echo "FEIDI_PYTHON=$FEIDI_PYTHON is not a working Python >= 3.12 with venv" >&2
    exit 1
fi

candidates=()
for v in 3.12 3.13 3.14; do
    command -v "python$v" >/dev/null 2>&1 && candidates+=("$(command -v "python$v")")
done
pyenv_root="${PYENV_ROOT:-$HOME/.pyenv}"
for v in 3.12 3.13 3.14; do
    # newest patch release first
    while IFS= read -r dir; do
        [[ -n "$dir" ]] && candidates+=("$dir/bin/python3")
    done < <(ls -d "$pyenv_root"/versions/"$v".* 2>/dev/null | sort -V -r)
    candidates+=("/usr/local/bin/python$v" "/usr/bin/python$v")
done
command -v python3 >/dev/null 2>&1 && candidates+=("$(command -v python3)")

for c in "${candidates[@]}"; do
    if [[ -x "$c" ]] && ok "$c"; then
        echo "$c"
        exit 0
    fi
done

echo "No Python >= 3.12 found (Django 6 needs it). Install one, or set FEIDI_PYTHON=/path/to/python3." >&2
exit 1
