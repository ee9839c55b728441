#!/usr/bin/env bash
# S3 benchmark, one command: Strata (./strata up: 3 metadata peers, 3 datanodes, replication 3)
# and S3Proxy 2.9.0 (filesystem backend) on this machine, loaded phase by phase by the same
# AWS SDK v2 load generator (s3-gateway test sources: io.strata.s3.bench.S3LoadGenerator), then
# a table with Strata / S3Proxy ratios. Strata takes the SDK's defaults (signed aws-chunked
# uploads with a CRC32 trailer); S3Proxy rejects those, so its client sends checksums only when
# required. Ports 13000-13999 (override with BASE_PORT), below the kernel's ephemeral range
# 32768-60999: a fixed port there can be taken by any outgoing connection (S3Proxy once failed
# to bind 43080 that way).
#   deploy/bench/s3-bench.sh                 # THREADS=8 LARGE=32 SMALL=4000 GET_PASSES=8 MAX_SECONDS=60 ROUNDS=2 (WARM_LARGE=3xLARGE, WARM_SMALL=8xSMALL)
# GET phases read the PUT phase's objects GET_PASSES times over (one pass of 32 x 16 MiB took 0.25 s).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
THREADS=${THREADS:-8}
LARGE=${LARGE:-32}
SMALL=${SMALL:-4000}
MAX_SECONDS=${MAX_SECONDS:-60}
GET_PASSES=${GET_PASSES:-8}
BASE=${BASE_PORT:-13000}
work=${WORK:-/tmp/strata-s3-bench}
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT
rm -rf "$work/strata" "$work/s3proxy-data"
mkdir -p "$work/s3proxy-data"

echo "building the load generator and its classpath ..." >&2
(cd "$root" && mvn -q -B -pl s3-gateway -am test-compile dependency:build-classpath \
  -Dmdep.outputFile="$work/bench.classpath" -Dmdep.includeScope=test >&2)
if [[ ! -d "$work/s3proxy-lib" ]]; then
  echo "fetching S3Proxy (Maven Central) ..." >&2
  mvn -q -B -f "$here/s3proxy/pom.xml" dependency:copy-dependencies -DoutputDirectory="$work/s3proxy-lib" >&2
fi

echo "starting Strata ..." >&2
"$root/strata" up --data "$work/strata" --admin-port $((BASE + 70)) --metadata-port $((BASE + 100)) \
  --datanode-port $((BASE + 200)) --nbd-port $((BASE + 809)) --s3-port "$BASE" --s3-tls-port $((BASE + 443)) \
  --nfs-port $((BASE + 49)) --mount-port $((BASE + 48)) --portmap-port -1 \
  > "$work/strata.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 180); do
  grep -q "Strata is up" "$work/strata.log" 2>/dev/null && break
  sleep 1
done
grep -q "Strata is up" "$work/strata.log" || { echo "Strata did not start; see $work/strata.log" >&2; exit 1; }
key=$(awk -F' *= *' '/aws_access_key_id/ {print $2}' "$work/strata/credentials")
secret=$(awk -F' *= *' '/aws_secret_access_key/ {print $2}' "$work/strata/credentials")

echo "starting S3Proxy ..." >&2
cat > "$work/s3proxy.properties" <<PROPS
s3proxy.endpoint=http://127.0.0.1:$((BASE + 80))
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=benchkey
s3proxy.credential=benchsecret
jclouds.provider=filesystem
jclouds.filesystem.basedir=$work/s3proxy-data
PROPS
java -Dlogback.configurationFile="$here/s3proxy/logback.xml" -cp "$work/s3proxy-lib/*" org.gaul.s3proxy.Main --properties "$work/s3proxy.properties" > "$work/s3proxy.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 60); do
  curl -s -o /dev/null "http://127.0.0.1:$((BASE + 80))/" && break
  sleep 1
done

gen() {
  java -Xmx2g -cp "$root/s3-gateway/target/test-classes:$root/s3-gateway/target/classes:$(cat "$work/bench.classpath")" \
    io.strata.s3.bench.S3LoadGenerator --threads "$THREADS" "$@" \
    --target "strata=http://127.0.0.1:$BASE,$key,$secret,default" \
    --target "s3proxy=http://127.0.0.1:$((BASE + 80)),benchkey,benchsecret,when_required"
}
# Servers that have just started are not in their steady state: the JVMs compile their hot
# paths while the load runs, and so does the load generator's own JVM. So one unmeasured pass
# for both targets first, in the same JVM as the measured rounds, writing the same keys over and
# over: WARM_LARGE (default 3 x LARGE) and WARM_SMALL (default 8 x SMALL) PUTs, and GETs as in a
# measured round. How long the warm-up has to be (2026-12-07, 4 KiB PUTs in rounds of 4,000 on a
# fresh `./strata up`): 13.4, 7.4, 5.2, 3.7, 3.3, 3.0, 2.7, 2.4, 1.7, 1.8 s. Strata's compiler
# threads took 45% of its CPU over the first 25 s and 5% after 30 s; its JVM holds three metadata
# peers, three datanodes and the gateways. Until 2026-12-07 the warm-up was one pass as large as
# a measured one, in a JVM of its own, so both JVMs were still compiling in the measured phases.
# ROUNDS measured rounds (default 2) reverse the order of the targets every other round; the
# table adds them up, and stderr shows each round. SYNC_BETWEEN=1 (default) runs `sync`, untimed,
# after every phase: S3Proxy does not sync, and the writeback of what it left dirty otherwise
# lands in Strata's next phase on the same disk, behind Strata's own fsyncs.
warm=()
if [[ ${WARM_UP:-1} == 1 ]]; then
  warm=(--warm-large "${WARM_LARGE:-$((3 * LARGE))}" --warm-small "${WARM_SMALL:-$((8 * SMALL))}")
fi
echo "load before: $(uptime)"
gen "${warm[@]}" --rounds "${ROUNDS:-2}" --sync-between "${SYNC_BETWEEN:-1}" --large "$LARGE" --small "$SMALL" --max-seconds "$MAX_SECONDS" \
  --get-passes "$GET_PASSES"
echo "load after:  $(uptime)"
