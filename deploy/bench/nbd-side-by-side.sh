#!/usr/bin/env bash
# nbd-side-by-side.sh - one command, one table: Strata's NBD gateway vs nbdkit's file plugin vs
# the local file, same fio jobs, same disk, same run (issue 5's benchmark).
#
# Usage: deploy/bench/nbd-side-by-side.sh [RUNTIME_S]        (default 10 s per job)
# Env:   WORK=DIR        scratch dir on the disk under test (default: mktemp -d under /tmp)
#        PORT_BASE=N     ports N+70 (admin), N+100.. (metadata), N+200.. (datanodes), N+809 (NBD),
#                        N+810 (nbdkit), N+849/N+850 (NFS/MOUNT; no portmapper), N+900/N+943 (S3)
#                        (default 12000, below the ephemeral port range)
#        JOBS="..."      subset of nbd-bench.sh jobs (default: all seven incl. randwrite1fsync)
#        NBD_BENCH=FILE  the shared fio helper (default: ../shared/bench/nbd-bench.sh or /work/shared/bench/...)
#        SIZE=1G         bytes exercised; the Strata volume is twice that
#        STRATA_ONLY=1   skip nbdkit and the local file (quick A/B of Strata changes by CPU per op)
# Prints one line per job: IOPS of each target, Strata/nbdkit ratio, the issue's target, and the
# Strata JVM's CPU time per operation (less sensitive to machine load than IOPS: use it for A/B).
# Needs: fio, libnbd-bin, nbdkit, jq, curl, a built tree (./strata builds it on first use).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
RUNTIME=${1:-10}
PORT_BASE=${PORT_BASE:-12000}
SIZE=${SIZE:-1G}
JOBS=${JOBS:-"randwrite16 randwrite1 randread16 randread1 seqwrite seqread randwrite1fsync"}
WORK=${WORK:-$(mktemp -d /tmp/nbd-sbs.XXXXXX)}
mkdir -p "$WORK"
if [[ -z ${NBD_BENCH-} ]]; then
  for c in "$here/../shared/bench/nbd-bench.sh" /work/shared/bench/nbd-bench.sh; do
    [[ -x $c ]] && NBD_BENCH=$c && break
  done
fi
[[ -n ${NBD_BENCH-} && -x $NBD_BENCH ]] || { echo "nbd-bench.sh not found; set NBD_BENCH" >&2; exit 1; }
for b in fio nbdinfo nbdkit jq curl; do
  command -v "$b" >/dev/null || { echo "$b missing" >&2; exit 1; }
done

admin_port=$((PORT_BASE + 70)) nbd_port=$((PORT_BASE + 809)) kit_port=$((PORT_BASE + 810))
admin="http://127.0.0.1:$admin_port"
pids=()
# On exit: stop what we started and drop the multi-GiB data (the cluster, the reference file);
# the fio JSON stays.
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$WORK/strata-data" "$WORK/ref.img"
}
trap cleanup EXIT

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }   # utime + stime of one process, in clock ticks
hz=$(getconf CLK_TCK)

# run_jobs NAME HOST PORT EXPORT [PID]: writes the range once (1 MiB sequential), then one
# nbd-bench.sh call per job; output rows "job iops mbps cpu_us_per_op". CPU per op divides the
# server's CPU time by iops x (runtime + fio's 2 s ramp), i.e. assumes the ramp ran at the same rate.
run_jobs() {
  local name=$1 host=$2 port=$3 export=$4 pid=${5-} j
  PRECONDITION=1 SIZE=$SIZE JOBS=" " "$NBD_BENCH" "$host" "$port" "$export" "$RUNTIME" "$WORK/fio-$name" >/dev/null
  for j in $JOBS; do
    local before=0 after=0
    [[ -n $pid ]] && before=$(cpu_ticks "$pid")
    PRECONDITION=0 SIZE=$SIZE JOBS=$j "$NBD_BENCH" "$host" "$port" "$export" "$RUNTIME" "$WORK/fio-$name" \
      | awk '$1=="nbd"{print}' > "$WORK/row"
    [[ -n $pid ]] && after=$(cpu_ticks "$pid")
    awk -v b="$before" -v a="$after" -v hz="$hz" -v rt="$RUNTIME" -v p="$pid" '{
        ops = $3 * (rt + 2); cpu = (p == "" || ops == 0) ? "-" : sprintf("%.0f", (a - b) / hz * 1e6 / ops);
        print $2, $3, $4, cpu }' "$WORK/row"
  done
}

echo "# $(date -u +%FT%TZ) $(uname -n) $(nproc) cores; work dir $WORK; runtime ${RUNTIME}s/job; size $SIZE" >&2

# 1. Strata: the whole embedded cloud (3 metadata peers, 3 datanodes x 2 disks, replication 3).
"$here/strata" up --data "$WORK/strata-data" --admin-port "$admin_port" --metadata-port $((PORT_BASE + 100)) \
  --datanode-port $((PORT_BASE + 200)) --nbd-port "$nbd_port" --s3-port $((PORT_BASE + 900)) \
  --s3-tls-port $((PORT_BASE + 943)) --nfs-port $((PORT_BASE + 849)) --mount-port $((PORT_BASE + 850)) \
  --portmap-port -1 > "$WORK/strata.log" 2>&1 &
strata_pid=$!; pids+=("$strata_pid")
for _ in $(seq 1 360); do
  curl -fs "$admin/health" >/dev/null 2>&1 && break
  kill -0 "$strata_pid" 2>/dev/null || { cat "$WORK/strata.log" >&2; exit 1; }
  sleep 0.5
done
java_pid=$(pgrep -P "$strata_pid" java || echo "$strata_pid")   # ./strata execs java: usually the same PID
"$here/strata" volume create bench --size "$(( $(numfmt --from=iec "$SIZE") * 2 ))" --admin "$admin" >/dev/null
echo "# strata up (pid $java_pid); load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
run_jobs strata 127.0.0.1 "$nbd_port" bench "$java_pid" > "$WORK/strata.tsv"
kill "$strata_pid"; wait "$strata_pid" 2>/dev/null || true; pids=()

if [[ ${STRATA_ONLY-} == 1 ]]; then
  printf '%-16s %12s %9s %12s\n' job strata_iops MB/s strata_cpu_us/op
  while read -r job iops mbps cpu; do printf '%-16s %12s %9s %12s\n' "$job" "$iops" "$mbps" "$cpu"; done < "$WORK/strata.tsv"
  exit 0
fi

# 2. nbdkit's file plugin serving a file on the same disk.
truncate -s "$SIZE" "$WORK/ref.img"
nbdkit -f --exit-with-parent --ip-addr 127.0.0.1 --port "$kit_port" file "$WORK/ref.img" &
kit_pid=$!; pids+=("$kit_pid")
for _ in $(seq 1 100); do nbdinfo --size "nbd://127.0.0.1:$kit_port" >/dev/null 2>&1 && break; sleep 0.1; done
echo "# nbdkit file (pid $kit_pid); load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
run_jobs nbdkit 127.0.0.1 "$kit_port" "" "$kit_pid" > "$WORK/nbdkit.tsv"
kill "$kit_pid"; wait "$kit_pid" 2>/dev/null || true; pids=()

# 3. The local file itself (libaio O_DIRECT at the job's depth; psync for QD1 write+fsync).
echo "# local file; load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
PRECONDITION=1 SIZE=$SIZE JOBS="$JOBS" "$NBD_BENCH" --local "$WORK/ref.img" "$RUNTIME" "$WORK/fio-local" \
  | awk '$1=="libaio" || ($1=="psync" && $2 ~ /fsync/){print $2, $3, $4}' > "$WORK/local.tsv"

target() { case $1 in randwrite16) echo ">=0.5x";; randread16) echo ">=0.8x";; seqwrite|seqread) echo ">=0.5x";;
  randwrite1fsync) echo ">=1.0x";; *) echo "-";; esac; }
printf '%-16s %12s %9s %12s %8s %8s %12s %11s %11s\n' job strata_iops MB/s nbdkit_iops ratio target local_iops \
  strata_cpu nbdkit_cpu
while read -r job iops mbps cpu; do
  kcpu=$(awk -v j="$job" '$1==j{print $4}' "$WORK/nbdkit.tsv")
  kit=$(awk -v j="$job" '$1==j{print $2}' "$WORK/nbdkit.tsv")
  loc=$(awk -v j="$job" '$1==j{print $2}' "$WORK/local.tsv" | tail -1)
  ratio=$(awk -v a="$iops" -v b="${kit:-0}" 'BEGIN{ if (b > 0) printf "%.3fx", a / b; else print "-" }')
  printf '%-16s %12s %9s %12s %8s %8s %12s %11s %11s\n' "$job" "$iops" "$mbps" "${kit:--}" "$ratio" "$(target "$job")" \
    "${loc:--}" "$cpu" "${kcpu:--}"
done < "$WORK/strata.tsv"
echo "# strata_cpu / nbdkit_cpu: server CPU microseconds per operation (utime+stime of the server process)" >&2
echo "# done; load $(cut -d' ' -f1-3 /proc/loadavg); raw fio JSON under $WORK/fio-*" >&2
