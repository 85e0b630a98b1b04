#!/usr/bin/env bash
# Run a command and note its wall time: scripts/timed.sh LABEL COMMAND...
# Each line goes to stdout and to $TIMES_FILE (default .cache/times.txt), which .ci/run prints at the end.
set -uo pipefail
label=$1
shift
times_file=${TIMES_FILE:-.cache/times.txt}
mkdir -p "$(dirname "$times_file")"
start=$(date +%s)
"$@"
status=$?
elapsed=$(( $(date +%s) - start ))
line=$(printf '%-28s %3dm%02ds  (exit %d)' "$label" $((elapsed / 60)) $((elapsed % 60)) "$status")
echo "== time: $line"
echo "$line" >> "$times_file"
exit $status
