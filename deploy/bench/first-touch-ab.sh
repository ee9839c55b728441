#!/bin/bash
# The worst case for extent-map page writes: every write is the first one into its 1 MiB extent
# (4,096 x 4 KiB at QD16, 1020 KiB apart, over a fresh 4 GiB volume), three fresh volumes in one
# ./strata up of TREE (a checkout with a built tree). For A/B of two commits: run it once per tree,
# interleaved.   Usage: deploy/bench/first-touch-ab.sh TREE   (ports 16000-16999)
set -u
tree=$1; PB=${BASE_PORT:-16000}; admin=http://127.0.0.1:$((PB+70)); w=$(mktemp -d /tmp/ab.XXXX)
"$tree/strata" up --data "$w/d" --admin-port $((PB+70)) --metadata-port $((PB+100)) --datanode-port $((PB+200)) \
  --nbd-port $((PB+809)) --s3-port $((PB+900)) --s3-tls-port $((PB+943)) --nfs-port $((PB+849)) --mount-port $((PB+850)) \
  --portmap-port -1 > "$w/log" 2>&1 &
sp=$!
for _ in $(seq 1 360); do curl -fs "$admin/health" >/dev/null 2>&1 && break; sleep 0.5; done
for round in 1 2 3; do
  "$tree/strata" volume create ab$round --size 4G --admin "$admin" >/dev/null
  fio --name=ft --ioengine=nbd --uri=nbd://127.0.0.1:$((PB+809))/ab$round --rw=write:1020k --bs=4k --size=4G \
    --iodepth=16 --number_ios=4096 --output-format=json 2>&1 | sed 1d > "$w/fio$round.json"
  jq -r --arg t "$tree" --arg r $round '"\($t) round \($r): \(.jobs[0].write.total_ios) writes, \(.jobs[0].write.iops|floor) IOPS, clat mean \(.jobs[0].write.clat_ns.mean/1000|floor) us"' "$w/fio$round.json"
done
kill $sp; wait $sp 2>/dev/null
rm -rf "$w"
