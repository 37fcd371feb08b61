#!/bin/bash
# alternating rounds: the shipped runner JVM (C2) and a class-data archive of a ferry demo, one bench run each per round
cd /work/main
for round in 1 2; do
  for cfg in default cds; do
    if [ $cfg = cds ]; then opts="-Xmx3g -XX:SharedArchiveFile=/tmp/ferry-demo.jsa -Xlog:cds=off"; else opts="-Xmx3g"; fi
    FERRY_JAVA_OPTS="$opts" FERRY_NO_BUILD=1 timeout 900 ./ferry bench --only migrate --rows 862000 --runs 1 --skip pgloader --out /tmp/ab2-$cfg-$round > /tmp/ab2-$cfg-$round.log 2>&1
    grep "run 1" /tmp/ab2-$cfg-$round.log | sed "s/^/round $round $cfg: /"
  done
done
