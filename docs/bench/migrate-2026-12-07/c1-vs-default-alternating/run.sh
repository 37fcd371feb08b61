#!/bin/bash
# alternating rounds: the shipped runner JVM (C2) and C1 only, one bench run each per round
cd /work/main
for round in 1 2 3; do
  for cfg in default c1; do
    if [ $cfg = c1 ]; then opts="-Xmx3g -XX:TieredStopAtLevel=1"; else opts="-Xmx3g"; fi
    FERRY_JAVA_OPTS="$opts" FERRY_NO_BUILD=1 timeout 900 ./ferry bench --only migrate --rows 862000 --runs 1 --skip pgloader --out /tmp/ab-$cfg-$round > /tmp/ab-$cfg-$round.log 2>&1
    grep "run 1" /tmp/ab-$cfg-$round.log | sed "s/^/round $round $cfg: /"
  done
done
