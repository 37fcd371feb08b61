#!/usr/bin/env bash
# alternating rounds of the warm end-to-end load under JVM options; Ferry only (pgloader skipped: Ferry against itself)
cd /work/main
for round in 1 2; do
  for v in default thp parallel thp_parallel; do
    case $v in
      default) opts="-Xmx3g" ;;
      thp) opts="-Xmx3g -XX:+UseTransparentHugePages" ;;
      parallel) opts="-Xmx3g -XX:+UseParallelGC" ;;
      thp_parallel) opts="-Xmx3g -XX:+UseTransparentHugePages -XX:+UseParallelGC" ;;
    esac
    out=/tmp/ab/$round-$v
    rm -rf $out
    FERRY_NO_BUILD=1 FERRY_JAVA_OPTS="$opts" ./ferry bench --only end-to-end --rows 1000000 --runs 3 --skip pgloader --out $out > $out.log 2>&1
    echo "$round $v $(grep -E '^\s+ferry_end_to_end_binary ' $out.log | tr -s ' ' | cut -d' ' -f3-10)"
  done
done
