#!/bin/bash
# Adds a study to the campaign of nachos.sbatch: `nachos submit` in the same image, on the same
# NACHOS_ROOT. The coordinator picks the study up within seconds (or when the next job starts).
#
#   ./submit.sh /projects/myproject/specs/resnet18.yaml           # store it and return
#   ./submit.sh /projects/myproject/specs/resnet18.yaml --wait    # ...and wait for its report
#
# Submitting validates the spec, reads every image and audits the split plan, so it needs the dataset;
# for a large one run it on a compute node: srun --time=1:00:00 ./submit.sh SPEC.
set -euo pipefail

if [[ $# -lt 1 || $1 == -h || $1 == --help ]]; then
    echo "usage: $0 SPEC.yaml [--wait]" >&2
    exit 2
fi
spec=$(realpath "$1")
shift

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
env_file=${NACHOS_ENV_FILE:-$here/nachos.env}
set -a
# shellcheck source=nachos.env.example
source "$env_file"
set +a
: "${NACHOS_IMAGE:?set NACHOS_IMAGE in $env_file}"
: "${NACHOS_ROOT:?set NACHOS_ROOT in $env_file}"
mkdir -p "$NACHOS_ROOT"

# Same absolute paths inside as outside: the stored study records where its spec was, and the nodes
# resolve the spec's dataset paths from there.
binds=(--bind "$NACHOS_ROOT" --bind "$(dirname "$spec")")
IFS=, read -ra extra <<< "${NACHOS_BIND:-}"
for b in "${extra[@]}"; do [[ -n $b ]] && binds+=(--bind "$b"); done

exec "${NACHOS_APPTAINER:-apptainer}" exec "${binds[@]}" "$NACHOS_IMAGE" \
    nachos submit "$spec" --root "$NACHOS_ROOT" "$@"
