#!/bin/bash
# One nachos node on this Slurm node, in Apptainer; started by nachos.sbatch through srun (one task per
# node) with the settings file's variables and NACHOS_SEEDS, NACHOS_FIRST_NODE, NACHOS_EXTERNAL_SEEDS in
# the environment. Restarts the node when it stops unexpectedly (for example when the split-brain resolver
# removed it during a network partition); on SIGTERM the node leaves and this script ends.
set -uo pipefail

me=${SLURMD_NODENAME:-$(hostname -s)}
say() { echo "node.sh [$me]: $*"; }

# Roles: the first node coordinates (and works, by default); the others work.
if [[ ${NACHOS_EXTERNAL_SEEDS:-0} == 1 || $me != "${NACHOS_FIRST_NODE:-}" ]]; then
    roles=${NACHOS_WORKER_ROLES:-worker}
else
    roles=${NACHOS_COORDINATOR_ROLES:-coordinator,worker}
fi

# GPUs Slurm gave this step. Inside the container CUDA numbers the visible ones 0..n-1, whatever their
# indices on the host, so the devices are cuda:0..n-1.
gpu_count() {
    local ids
    if [[ -n ${CUDA_VISIBLE_DEVICES:-} && ${CUDA_VISIBLE_DEVICES} != NoDevFiles ]]; then
        IFS=, read -ra ids <<< "$CUDA_VISIBLE_DEVICES"
        echo "${#ids[@]}"
    elif [[ ${SLURM_GPUS_ON_NODE:-} =~ ^[0-9]+$ ]]; then
        echo "$SLURM_GPUS_ON_NODE"
    else
        echo 0
    fi
}
gpus=$(gpu_count)

device_args=()
if [[ ,$roles, == *,worker,* ]]; then
    if [[ -n ${NACHOS_DEVICES:-} ]]; then
        devices=$NACHOS_DEVICES
    elif (( gpus > 0 )); then
        devices=cuda:$(seq -s, 0 $((gpus - 1)))
    else
        devices=cpu:1
        say "no GPU allocated on this node: one CPU device (set NACHOS_DEVICES to change)"
    fi
    device_args=(--devices "$devices")
fi

seed_args=()
IFS=, read -ra seeds <<< "${NACHOS_SEEDS:-}"
for s in "${seeds[@]}"; do seed_args+=(--seed "$s"); done

# The campaign directory and every data path at the same absolute paths inside the container as outside:
# task folders and the datasets of stored specs are addressed by absolute path on every node.
apptainer_options=(--bind "$NACHOS_ROOT")
IFS=, read -ra binds <<< "${NACHOS_BIND:-}"
for b in "${binds[@]}"; do [[ -n $b ]] && apptainer_options+=(--bind "$b"); done
if (( gpus > 0 )); then apptainer_options+=(--nv); fi
# The settings file again, for sites whose Apptainer does not pass the environment on (--cleanenv).
if [[ -n ${NACHOS_ENV_FILE:-} ]]; then apptainer_options+=(--env-file "$NACHOS_ENV_FILE"); fi

node_command=("${NACHOS_APPTAINER:-apptainer}" exec "${apptainer_options[@]}" "$NACHOS_IMAGE"
    nachos node --root "$NACHOS_ROOT" --roles "$roles" --public-host "$me${NACHOS_HOST_SUFFIX:-}"
    --port "${NACHOS_PORT:-4053}" ${seed_args[@]+"${seed_args[@]}"} ${device_args[@]+"${device_args[@]}"})
# NACHOS_POSTGRES reaches the node through the environment, never the command line (ps, sacct).

# Nodes other than the first wait until the first seed listens: the first node has started the cluster
# (and, on an empty database, its coordinator is creating the journal tables) before the others start.
wait_for_seed() {
    local seed=${seeds[0]:-} deadline=$((SECONDS + ${NACHOS_JOIN_WAIT:-300}))
    [[ -z $seed || $seed == "$me${NACHOS_HOST_SUFFIX:-}:"* ]] && return 0
    until timeout 2 bash -c "exec 3<>/dev/tcp/${seed%:*}/${seed##*:}" 2>/dev/null; do
        if (( stopping )); then return 0; fi
        if (( SECONDS >= deadline )); then
            say "seed $seed still not listening; starting anyway"
            return 0
        fi
        sleep 2
    done
}

stopping=0
child=
on_term() {
    stopping=1
    if [[ -n $child ]]; then kill -TERM "$child" 2>/dev/null; fi
}
trap on_term TERM INT

restarts=0
max_restarts=${NACHOS_MAX_RESTARTS:-10}
while :; do
    wait_for_seed
    if (( stopping )); then exit 0; fi
    say "starting: roles $roles, ${device_args[*]:-no devices}, seeds ${NACHOS_SEEDS:-none}"
    "${node_command[@]}" &
    child=$!
    # wait returns early when a trapped signal arrives: wait again until the node has ended.
    while :; do
        wait "$child"
        status=$?
        kill -0 "$child" 2>/dev/null || break
    done
    child=
    if (( stopping )); then
        say "left (exit $status)"
        exit "$status"
    fi
    case $status in
        0) say "left the cluster"; exit 0 ;;
        2) say "refused to start (exit 2, see the message above); not restarting"; exit 2 ;;
    esac
    if (( restarts >= max_restarts )); then
        say "stopped with exit $status; $max_restarts restarts used, giving up"
        exit "$status"
    fi
    restarts=$((restarts + 1))
    say "stopped with exit $status; restart $restarts of $max_restarts in ${NACHOS_RESTART_DELAY:-15} s"
    sleep "${NACHOS_RESTART_DELAY:-15}" &
    wait $! || true
done
