#!/usr/bin/env bash
# Strata's CPU per NBD operation, for A/B runs of datanode or gateway changes (not a side by side:
# see nbd-side-by-side.sh for that). Starts a fresh ./strata up (ports BASE_PORT.., default
# 15000), creates a 2 GiB volume, writes its first 1 GiB sequentially, then per mode:
#   jobs (default): fio 4 KiB randwrite QD16, randread QD16, randread QD1, 1 MiB read QD4,
#                   RUNTIME s each (JOBS="rw qd bs,..." to choose): IOPS and the JVM's
#                   utime+stime per operation;
#   writes:         4 KiB randwrite QD16 for RUNTIME s, then IDLE s idle: CPU per write while
#                   writing and including the background work after (extent compaction).
# Extra JVM options go in STRATA_JAVA_OPTS. Usage: deploy/bench/nbd-cpu.sh [jobs|writes]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"; root="$(cd "$here/../.." && pwd)"
MODE=${1:-jobs}; RUNTIME=${RUNTIME:-10}; IDLE=${IDLE:-40}; BASE=${BASE_PORT:-15000}
work=$(mktemp -d /tmp/nbd-cpu.XXXXXX)
"$root/strata" up --data "$work/data" --admin-port $((BASE + 70)) --metadata-port $((BASE + 100)) \
  --datanode-port $((BASE + 200)) --nbd-port $((BASE + 809)) --s3-port $BASE --s3-tls-port $((BASE + 443)) \
  --nfs-port $((BASE + 49)) --mount-port $((BASE + 48)) --portmap-port -1 > "$work/strata.log" 2>&1 &
spid=$!
trap 'kill $spid 2>/dev/null || true; wait $spid 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 240); do curl -fs "http://127.0.0.1:$((BASE + 70))/health" >/dev/null 2>&1 && break; sleep 0.5; done
jpid=$(pgrep -P $spid java || echo $spid)
"$root/strata" volume create cpu --size 2G --admin "http://127.0.0.1:$((BASE + 70))" >/dev/null
uri="nbd://127.0.0.1:$((BASE + 809))/cpu"
fio --name=pre --rw=write --bs=1M --iodepth=4 --size=1G --ioengine=nbd --uri="$uri" >/dev/null 2>&1
cpu() { awk '{print $14 + $15}' "/proc/$jpid/stat"; }   # clock ticks (100/s)
run() {  # run RW QD BS: prints "ops ticks"
  local c0 c1 n
  c0=$(cpu)
  n=$(fio --name=x --rw="$1" --bs="$3" --iodepth="$2" --size=1G --ioengine=nbd --uri="$uri" --time_based \
      --runtime="$RUNTIME" --norandommap --output-format=json 2>/dev/null | sed -n '/^{/,$p' \
      | jq '.jobs[0].read.total_ios + .jobs[0].write.total_ios')
  c1=$(cpu); echo "$n $((c1 - c0))"
}
if [[ $MODE == writes ]]; then
  read -r n t < <(run randwrite 16 4k)
  c1=$(cpu); sleep "$IDLE"; c2=$(cpu); sleep 10; c3=$(cpu)
  echo "randwrite QD16: $((n / RUNTIME)) IOPS; CPU $((t * 10000 / n)) us/write while writing," \
    "$(( (t + (c2 - c1) - (c3 - c2) * IDLE / 10) * 10000 / n )) us/write incl. the ${IDLE} s after (net of idle);" \
    "$(grep -c 'compacted extent' "$work/strata.log" || true) segment compactions"
else
  IFS=, read -ra jobs <<< "${JOBS:-randwrite 16 4k,randread 16 4k,randread 1 4k,read 4 1M}"
  for j in "${jobs[@]}"; do
    read -r n t < <(run $j)
    set -- $j; echo "$1 QD$2 $3: $((n / RUNTIME)) IOPS, CPU $((t * 10000 / n)) us/op"
  done
fi
