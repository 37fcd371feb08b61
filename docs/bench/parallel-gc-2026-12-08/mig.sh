#!/usr/bin/env bash
cd /work/main
for round in 1 2; do
  for v in g1 parallel; do
    case $v in
      g1) opts="-Xmx3g" ;;
      parallel) opts="-Xmx3g -XX:+UseParallelGC" ;;
    esac
    out=/tmp/ab/mig-$round-$v
    rm -rf $out
    FERRY_NO_BUILD=1 FERRY_JAVA_OPTS="$opts" ./ferry bench --only migrate --rows 862000 --runs 2 --skip pgloader --out $out > $out.log 2>&1
    echo "$round $v"; grep -E "run [0-9]:" $out.log
  done
done
