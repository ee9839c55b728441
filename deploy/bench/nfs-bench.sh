#!/usr/bin/env bash
# NFS benchmark, one command: Strata (./strata up: 3 metadata peers, 3 datanodes, replication 3)
# and NFS-Ganesha 4.3 (VFS export of a directory on the same disk) under the same libnfs clients:
#   - nfs-cp of a SIZE_MIB file in (local -> NFS) and out (NFS -> local), checksum compared;
#   - shared/bench/nfs-smallfiles: FILES files of 4 KiB created, written, closed (the target),
#     then stat, read, unlink.
# Ganesha needs a portmapper and will not bind 127.0.0.1 alone, so it runs with rpcbind inside a
# network namespace of its own (lo up + an unconnected veth), with its client run in the same
# namespace; Strata runs on loopback with ports 14000-14999 (below the ephemeral range). Must run
# as root (network namespaces). Alternates Strata and Ganesha ROUNDS times and prints a table.
#   deploy/bench/nfs-bench.sh                  # SIZE_MIB=512 FILES=2000 ROUNDS=1 (WARM_MIB, WARM_FILES)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
SIZE_MIB=${SIZE_MIB:-512}
FILES=${FILES:-2000}
ROUNDS=${ROUNDS:-1}
WARM_FILES=${WARM_FILES:-$FILES}   # unmeasured small-file pass first (the JVM's JIT needs thousands of ops)
BASE=${BASE_PORT:-14000}
work=${WORK:-/tmp/strata-nfs-bench}
ns=strata-nfs-bench
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  if [[ -f "$work/ganesha.pid" ]]; then kill "$(cat "$work/ganesha.pid")" 2>/dev/null || true; fi
  if [[ -f "$work/rpcbind.pid" ]]; then kill "$(cat "$work/rpcbind.pid")" 2>/dev/null || true; fi
  sleep 1
  ip netns del "$ns" 2>/dev/null || true
  ip link del vsnb1 2>/dev/null || true
}
trap cleanup EXIT
for b in nfs-cp ganesha.nfsd rpcbind gcc; do
  command -v "$b" >/dev/null || { echo "missing $b: apt-get install -y libnfs-utils libnfs-dev nfs-ganesha nfs-ganesha-vfs rpcbind gcc" >&2; exit 1; }
done
rm -rf "$work/strata" "$work/ganesha-export" "$work"/out-*
mkdir -p "$work/ganesha-export"

gcc -O2 -o "$work/nfs-smallfiles" "$root/../shared/bench/nfs-smallfiles.c" -lnfs 2>/dev/null \
  || gcc -O2 -o "$work/nfs-smallfiles" /work/shared/bench/nfs-smallfiles.c -lnfs
if [[ ! -f "$work/in-$SIZE_MIB.bin" ]]; then
  echo "making a $SIZE_MIB MiB random file ..." >&2
  head -c $((SIZE_MIB << 20)) /dev/urandom > "$work/in-$SIZE_MIB.bin"
fi
want=$(sha256sum < "$work/in-$SIZE_MIB.bin" | cut -d' ' -f1)

now() { date +%s.%N; }
# run_case NAME PREFIX URLBASE: PREFIX runs a command where the server is reachable ("" or nsenter)
run_case() {
  local name=$1 prefix=$2 base=$3 q=$4 t0 t1 t2 t3
  t0=$(now); $prefix nfs-cp "$work/in-$SIZE_MIB.bin" "$base/big-$name.bin$q" >/dev/null
  t1=$(now); $prefix nfs-cp "$base/big-$name.bin$q" "$work/out-$name.bin" >/dev/null
  t2=$(now)
  got=$(sha256sum < "$work/out-$name.bin" | cut -d' ' -f1)
  [[ "$got" == "$want" ]] || { echo "$name: checksum mismatch after the round trip" >&2; exit 1; }
  rm -f "$work/out-$name.bin"
  $prefix "$work/nfs-smallfiles" "$base/small-$name-$RANDOM$q" "$FILES" 4096 > "$work/small-$name.txt"
  create=$(awk '/create\+write\+close/ {print $6}' "$work/small-$name.txt")
  stat=$(awk '/^stat/ {print $6}' "$work/small-$name.txt")
  read=$(awk '/open\+read\+close/ {print $6}' "$work/small-$name.txt")
  unlink=$(awk '/^unlink/ {print $6}' "$work/small-$name.txt")
  echo "$name $(echo "$SIZE_MIB / ($t1 - $t0)" | bc -l) $(echo "$SIZE_MIB / ($t2 - $t1)" | bc -l) $create $stat $read $unlink"
}

start_strata() {
  "$root/strata" up --data "$work/strata" --admin-port $((BASE + 70)) --metadata-port $((BASE + 100)) \
    --datanode-port $((BASE + 200)) --nbd-port $((BASE + 809)) --s3-port $((BASE + 900)) \
    --s3-tls-port $((BASE + 943)) --nfs-port $((BASE + 49)) --mount-port $((BASE + 48)) --portmap-port -1 \
    > "$work/strata.log" 2>&1 &
  strata_pid=$!
  pids+=("$strata_pid")
  for _ in $(seq 1 240); do
    grep -q "Strata is up" "$work/strata.log" 2>/dev/null && break
    sleep 1
  done
  grep -q "Strata is up" "$work/strata.log" || { echo "Strata did not start; see $work/strata.log" >&2; exit 1; }
  "$root/strata" share create bench --size 100G --clients 127.0.0.0/8 --rw --no-root-squash \
    --admin "http://127.0.0.1:$((BASE + 70))" >/dev/null
}

# A server that has just started is not in its steady state (the JVM compiles its hot paths
# during the first minute): one unmeasured pass of each workload first, for both servers.
warm_up() {
  local prefix=$1 base=$2 q=$3
  # WARM_COPIES copies in and out as large as the measured one (WARM_MIB): after a 64 MiB warm-up
  # Strata's copy-in still ran 1.8 s, 1.5 s, 1.3 s ... for its next 512 MiB copies while C2
  # compiled (2026-12-07), and after one 512 MiB copy the next ones still sped up: 512 MiB copies
  # in at 230-370, ~400, then 450-500 MiB/s, with C2 at 40% of the JVM's samples in the fourth
  # and fifth copies (2026-12-07). NFS-Ganesha is C, with no JIT to warm up, yet its own
  # copy in fell from 523 to 285-303 MiB/s with three warm-up copies instead of one, for reasons
  # not known: compare copy-in ratios across WARM_COPIES with care (docs/benchmarks.md).
  head -c $((${WARM_MIB:-$SIZE_MIB} << 20)) "$work/in-$SIZE_MIB.bin" > "$work/warm.bin"
  for i in $(seq 1 "${WARM_COPIES:-3}"); do
    $prefix nfs-cp "$work/warm.bin" "$base/warm-$i.bin$q" >/dev/null
    $prefix nfs-cp "$base/warm-$i.bin$q" "$work/warm.out" >/dev/null
    rm -f "$work/warm.out"
  done
  $prefix "$work/nfs-smallfiles" "$base/warm-$RANDOM$q" "$WARM_FILES" 4096 >/dev/null
  rm -f "$work/warm.bin" "$work/warm.out"
  # The warm-up leaves gigabytes of dirty pages on a server that does not sync its data before a
  # COMMIT asks; written back during the measured copy, they throttled NFS-Ganesha's copy in to
  # 303 MiB/s (2026-12-07 23:10, against 638 and 1,017 MiB/s with one warm-up copy). Untimed.
  sync
}

stop_strata() {
  kill "$strata_pid"
  wait "$strata_pid" 2>/dev/null || true
}

start_ganesha() {
  ip netns add "$ns"
  ip netns exec "$ns" ip link set lo up
  ip link add vsnb0 type veth peer name vsnb1
  ip link set vsnb0 netns "$ns"
  ip netns exec "$ns" ip addr add 10.253.77.1/24 dev vsnb0
  ip netns exec "$ns" ip link set vsnb0 up
  ip netns exec "$ns" rpcbind -f -w &
  echo $! > "$work/rpcbind.pid"
  sleep 0.5
  cat > "$work/ganesha.conf" <<CONF
NFS_CORE_PARAM { NFS_Port = 2049; MNT_Port = 20048; Protocols = 3, 4; Enable_NLM = false;
  Enable_UDP = false; Enable_RQUOTA = false; Bind_addr = 127.0.0.1; }
NFS_KRB5 { Active_krb5 = false; }
LOG { Default_Log_Level = WARN; }
EXPORT { Export_Id = 1; Path = $work/ganesha-export; Pseudo = /bench; Access_Type = RW;
  Squash = No_Root_Squash; SecType = sys; Protocols = 3; Transports = TCP; FSAL { Name = VFS; } }
CONF
  ip netns exec "$ns" ganesha.nfsd -f "$work/ganesha.conf" -L "$work/ganesha.log" -p "$work/ganesha.pid" -N NIV_WARN
  for _ in $(seq 1 60); do
    ip netns exec "$ns" ss -ltn | grep -q ':2049 ' && break
    sleep 0.5
  done
  sleep 2
}

stop_ganesha() {
  kill "$(cat "$work/ganesha.pid")" 2>/dev/null || true
  kill "$(cat "$work/rpcbind.pid")" 2>/dev/null || true
  rm -f "$work/ganesha.pid" "$work/rpcbind.pid"
  sleep 1
  ip netns del "$ns" 2>/dev/null || true
}

results=()
for round in $(seq 1 "$ROUNDS"); do
  echo "round $round: Strata ..." >&2
  start_strata
  warm_up "" "nfs://127.0.0.1/bench" "?version=3&nfsport=$((BASE + 49))&mountport=$((BASE + 48))"
  load_s=$(cut -d' ' -f1-3 /proc/loadavg)
  results+=("$(run_case strata "" "nfs://127.0.0.1/bench" "?version=3&nfsport=$((BASE + 49))&mountport=$((BASE + 48))") $load_s")
  stop_strata
  echo "round $round: NFS-Ganesha ..." >&2
  start_ganesha
  warm_up "ip netns exec $ns" "nfs://127.0.0.1$work/ganesha-export" "?version=3&nfsport=2049&mountport=20048"
  load_g=$(cut -d' ' -f1-3 /proc/loadavg)
  results+=("$(run_case ganesha "ip netns exec $ns" "nfs://127.0.0.1$work/ganesha-export" "?version=3&nfsport=2049&mountport=20048") $load_g")
  stop_ganesha
  rm -rf "$work/ganesha-export"/* "$work/strata"
done

echo
echo "NFS benchmark: $SIZE_MIB MiB nfs-cp in/out, $FILES x 4 KiB files (nfs-smallfiles); $(nproc) cores; $(date -u +%FT%TZ)"
printf "%-8s %12s %12s %16s %10s %12s %10s   %s\n" server "cp in MiB/s" "cp out MiB/s" "create+write/s" "stat/s" "open+read/s" "unlink/s" "load avg"
for r in "${results[@]}"; do
  set -- $r
  printf "%-8s %12.1f %12.1f %16s %10s %12s %10s   %s %s %s\n" "$1" "$2" "$3" "$4" "$5" "$6" "$7" "$8" "$9" "${10}"
done
echo
echo "ratios Strata / Ganesha (per round; >= 1.0 means Strata is as fast or faster):"
for ((i = 0; i < ${#results[@]}; i += 2)); do
  set -- ${results[i]}; s=("$@")
  set -- ${results[i+1]}; g=("$@")
  printf "  cp in %.2fx   cp out %.2fx   create+write %.2fx   stat %.2fx   open+read %.2fx   unlink %.2fx\n" \
    "$(echo "${s[1]} / ${g[1]}" | bc -l)" "$(echo "${s[2]} / ${g[2]}" | bc -l)" "$(echo "${s[3]} / ${g[3]}" | bc -l)" \
    "$(echo "${s[4]} / ${g[4]}" | bc -l)" "$(echo "${s[5]} / ${g[5]}" | bc -l)" "$(echo "${s[6]} / ${g[6]}" | bc -l)"
done
