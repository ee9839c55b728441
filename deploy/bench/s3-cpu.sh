#!/usr/bin/env bash
# Strata alone under the S3 load generator, for A/B of our own changes: the Strata JVM's CPU per
# op for each phase (utime+stime from /proc at each phase report, also net of the idle rate
# measured first), and optionally a profile of the two GET phases. TREE is a built source tree
# (this one, or an older commit's `git archive` built with mvn -o package), so two trees give
# an A/B in one session. Ports BASE_PORT (13500) and up.
#   deploy/bench/s3-cpu.sh TREE OUTDIR [LARGE SMALL]     # env: PAUSE=5 ROUNDS=1
#   JFR=1 ...      JFR recordings of the GET phases (OUTDIR/get-large.jfr, get-small.jfr)
#   JFR=perf EXTRA_OPTS=-XX:+PreserveFramePointer ...   perf record of the GET phases
set -euo pipefail
root=$1; out=$2; LARGE=${3:-32}; SMALL=${4:-4000}; JFR=${JFR:-0}
BASE=${BASE_PORT:-13500}
work=${WORK:-/tmp/strata-s3-cpu}
mkdir -p "$out"; rm -rf "$work/strata"; mkdir -p "$work"
(cd "$root" && mvn -q -B -o -pl s3-gateway -am test-compile dependency:build-classpath \
  -Dmdep.outputFile="$work/bench.classpath" -Dmdep.includeScope=test >&2)
STRATA_JAVA_OPTS="-Xmx4g ${EXTRA_OPTS:-}" "$root/strata" up --data "$work/strata" --admin-port $((BASE + 70)) --metadata-port $((BASE + 100)) \
  --datanode-port $((BASE + 200)) --nbd-port $((BASE + 809)) --s3-port "$BASE" --s3-tls-port $((BASE + 443)) \
  > "$work/strata.log" 2>&1 &
spid=$!
trap 'kill $spid 2>/dev/null; wait $spid 2>/dev/null || true' EXIT
for _ in $(seq 1 180); do grep -q "Strata is up" "$work/strata.log" 2>/dev/null && break; sleep 1; done
grep -q "Strata is up" "$work/strata.log"
jpid=$(pgrep -P $spid java || echo $spid)
key=$(awk -F' *= *' '/aws_access_key_id/ {print $2}' "$work/strata/credentials")
secret=$(awk -F' *= *' '/aws_secret_access_key/ {print $2}' "$work/strata/credentials")
cpu() { awk '{print $14+$15}' /proc/$jpid/stat; }
echo "load before: $(uptime)" | tee "$out/summary.txt"
sleep 5; idle0=$(cpu); sleep 10; idle1=$(cpu)
idle=$(( (idle1-idle0) ))   # ticks per 10 s = ms per s
echo "idle cpu: $idle ms/s" | tee -a "$out/summary.txt"
for round in $(seq 1 ${ROUNDS:-1}); do
echo "round $round" | tee -a "$out/summary.txt"
last=$(cpu)
java -Xmx2g -cp "$root/s3-gateway/target/test-classes:$root/s3-gateway/target/classes:$(cat "$work/bench.classpath")" \
  io.strata.s3.bench.S3LoadGenerator --threads 8 --large "$LARGE" --small "$SMALL" --max-seconds 60 --pause-seconds ${PAUSE:-0} \
  --target "strata=http://127.0.0.1:$BASE,$key,$secret,default" 2>&1 >>"$out/table.txt" | while IFS= read -r line; do
    now=$(cpu); ops=$(echo "$line" | awk '{print $(NF-3)}')
    secs=$(echo "$line" | awk '{print $(NF-1)}')
    echo "$line  cpu $(( (now-last)*10 )) ms  $(awk -v c=$(( (now-last)*10000 )) -v o=$ops 'BEGIN{printf "%.0f", c/o}') cpu-us/op  net of idle $(awk -v c=$(( (now-last)*10 )) -v i=$idle -v s=$secs -v p=${PAUSE:-0} -v o=$ops 'BEGIN{printf "%.0f", (c-i*(s+p))*1000/o}') cpu-us/op" | tee -a "$out/summary.txt"
    last=$now
    if [[ $JFR == perf ]]; then
      case "$line" in
        "PUT 16 MiB"*) perf record -q -F 499 -g -p $jpid -o "$out/get-large.perf" 2>/dev/null & echo $! > "$out/perf.pid" ;;
        "PUT 4 KiB"*) perf record -q -F 499 -g -p $jpid -o "$out/get-small.perf" 2>/dev/null & echo $! > "$out/perf.pid" ;;
        "GET"*) kill -INT $(cat "$out/perf.pid"); sleep 1 ;;
      esac
    fi
    if [[ $JFR == 1 ]]; then
      case "$line" in
        "PUT 16 MiB"*) jcmd $jpid JFR.start name=gl settings=profile filename="$out/get-large.jfr" >/dev/null ;;
        "GET 16 MiB"*) jcmd $jpid JFR.stop name=gl >/dev/null ;;
        "PUT 4 KiB"*) jcmd $jpid JFR.start name=gs settings=profile filename="$out/get-small.jfr" >/dev/null ;;
        "GET 4 KiB"*) jcmd $jpid JFR.stop name=gs >/dev/null ;;
      esac
    fi
  done
done
[[ $JFR == perf ]] && jcmd $jpid Compiler.perfmap >/dev/null || true
cat "$out/table.txt" | tee -a "$out/summary.txt"
echo "load after: $(uptime)" | tee -a "$out/summary.txt"
