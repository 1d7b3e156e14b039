#!/usr/bin/env bash
# A one-node SLURM cluster for tests and CI (Debian slurm-wlm + munge, run as root).
#   .ci/slurm.sh up [DIR]   write a config under DIR (default: a new temp dir), start munged,
#                           slurmctld and slurmd, wait until `sinfo` shows the node idle, and print
#                           `export SLURM_CONF=...` lines (eval them); pids go to DIR/pids
#   .ci/slurm.sh down DIR   stop the daemons DIR/pids names, by pid, and wait for them to exit
# It fails loudly (exit 1, with the daemons' logs) when anything does not come up; it never skips.
set -euo pipefail

die() { echo "slurm.sh: $*" >&2; exit 1; }

wait_gone() { # pid seconds
  local i
  for ((i = 0; i < $2 * 10; i++)); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
  return 1
}

down() {
  local dir="${1:?usage: slurm.sh down DIR}"
  [ -f "$dir/pids" ] || die "no $dir/pids: nothing started there"
  local name pid bad=0
  # slurmd first, munged last (the others use it while they stop)
  for name in slurmd slurmctld munged; do
    pid=$(awk -v n="$name" '$1 == n { print $2 }' "$dir/pids")
    [ -n "$pid" ] || continue
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid"
      wait_gone "$pid" 20 || { echo "slurm.sh: $name (pid $pid) ignored SIGTERM; SIGKILL" >&2; kill -KILL "$pid" || true; bad=1; }
    fi
    echo "stopped $name (pid $pid)"
  done
  rm -f "$dir/pids"
  return "$bad"
}

show_logs() {
  local f
  for f in "$1"/log/*.log; do [ -f "$f" ] && { echo "--- $f" >&2; tail -n 30 "$f" >&2; }; done
}

up() {
  [ "$(id -u)" -eq 0 ] || die "must run as root (slurmd and SlurmUser=root)"
  local b
  for b in munged slurmctld slurmd sinfo sbatch scontrol; do command -v "$b" >/dev/null || die "'$b' not found: apt-get install -y slurm-wlm munge"; done
  local dir="${1:-}"
  if [ -z "$dir" ]; then dir=$(mktemp -d /tmp/normreg-slurm.XXXXXX); fi
  mkdir -p "$dir"/{log,state,spool,munge,run}
  dir=$(cd "$dir" && pwd)
  [ ! -f "$dir/pids" ] || die "$dir/pids exists: a cluster may still run there (.ci/slurm.sh down $dir)"
  local node cpus mem
  node=$(hostname -s)
  cpus=$(nproc)
  mem=$(awk '/^MemTotal:/ { print int($2 / 1024 * 0.9) }' /proc/meminfo)

  # munge: the key stays where Debian keeps it; one is created if missing (root-owned here, as
  # munged runs as root with --force)
  local key=/etc/munge/munge.key
  if [ ! -s "$key" ]; then
    mkdir -p /etc/munge
    dd if=/dev/urandom of="$key" bs=1 count=1024 status=none
    chmod 400 "$key"
    echo "created $key"
  fi
  chmod 700 "$dir/munge"
  munged --force --key-file="$key" --socket="$dir/munge/munge.socket" --pid-file="$dir/munge/munged.pid" \
    --log-file="$dir/log/munged.log" --seed-file="$dir/munge/munged.seed" || { show_logs "$dir"; die "munged did not start"; }
  local i
  for ((i = 0; i < 50; i++)); do [ -s "$dir/munge/munged.pid" ] && break; sleep 0.1; done
  echo "munged $(cat "$dir/munge/munged.pid")" >"$dir/pids"

  cat >"$dir/slurm.conf" <<EOF
# one-node cluster written by .ci/slurm.sh
ClusterName=normreg
SlurmctldHost=$node
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
# cred_expire: SLURM holds a requeued job back this many seconds (default 120); 5 lets the requeue
# test restart its task about 7 s after the requeue
AuthInfo=socket=$dir/munge/munge.socket,cred_expire=5
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldPort=6817
SlurmdPort=6818
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
MpiDefault=none
ReturnToService=2
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
# finished jobs stay visible to scontrol for an hour (there is no accounting database for sacct)
MinJobAge=3600
# a cancelled or time-limited job is killed KillWait seconds after SIGTERM
KillWait=10
# scheduler passes often (every 2 s, backfill too), so that short test jobs and requeued tasks do not wait
SchedulerParameters=defer_batch=0,sched_min_interval=100000,sched_interval=2,bf_interval=2
MessageTimeout=20
NodeName=$node CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=normreg Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
  export SLURM_CONF="$dir/slurm.conf"
  slurmctld -f "$SLURM_CONF" || { show_logs "$dir"; die "slurmctld did not start"; }
  for ((i = 0; i < 100; i++)); do [ -s "$dir/run/slurmctld.pid" ] && break; sleep 0.1; done
  [ -s "$dir/run/slurmctld.pid" ] || { show_logs "$dir"; die "slurmctld wrote no pid file"; }
  echo "slurmctld $(cat "$dir/run/slurmctld.pid")" >>"$dir/pids"
  slurmd -f "$SLURM_CONF" || { show_logs "$dir"; die "slurmd did not start"; }
  for ((i = 0; i < 100; i++)); do [ -s "$dir/run/slurmd.pid" ] && break; sleep 0.1; done
  [ -s "$dir/run/slurmd.pid" ] || { show_logs "$dir"; die "slurmd wrote no pid file"; }
  echo "slurmd $(cat "$dir/run/slurmd.pid")" >>"$dir/pids"

  local state=""
  for ((i = 0; i < 300; i++)); do
    state=$(sinfo -h -n "$node" -o '%t' 2>/dev/null || true)
    [ "$state" = "idle" ] && break
    sleep 0.2
  done
  if [ "$state" != "idle" ]; then
    show_logs "$dir"
    down "$dir" >&2 || true
    die "node $node is '${state:-not reported}' after 60 s, not idle"
  fi
  echo "slurm up: node $node ($cpus CPUs) idle in partition normreg; pids in $dir/pids"
  echo "export SLURM_CONF=$dir/slurm.conf"
}

case "${1:-}" in
  up) shift; up "$@" ;;
  down) shift; down "$@" ;;
  *) die "usage: .ci/slurm.sh up [DIR] | down DIR" ;;
esac
