#!/usr/bin/env bash
# Soak run of the chaos harness (tests/Nachos.EndToEnd.Tests/ChaosTests.cs): a longer campaign on more
# nodes with many random kills. Defaults: 20 kills, 60 trials per fold, 5 nodes, 1-s epochs (the study
# must outlast the kills: each kill, pause and rejoin takes ~5 s); override by environment.
set -euo pipefail
cd "$(dirname "$0")/.."
export NACHOS_CHAOS_KILLS="${NACHOS_CHAOS_KILLS:-20}" NACHOS_CHAOS_TRIALS="${NACHOS_CHAOS_TRIALS:-60}"
export NACHOS_CHAOS_NODES="${NACHOS_CHAOS_NODES:-5}" NACHOS_CHAOS_SEED="${NACHOS_CHAOS_SEED:-$RANDOM}"
export NACHOS_CHAOS_EPOCH_SECONDS="${NACHOS_CHAOS_EPOCH_SECONDS:-1}"
echo "chaos: $NACHOS_CHAOS_KILLS kills, $NACHOS_CHAOS_TRIALS trials, $NACHOS_CHAOS_NODES nodes, $NACHOS_CHAOS_EPOCH_SECONDS-s epochs, seed $NACHOS_CHAOS_SEED"
dotnet test tests/Nachos.EndToEnd.Tests -c Release --filter "FullyQualifiedName~ChaosTests" --logger "console;verbosity=detailed"
