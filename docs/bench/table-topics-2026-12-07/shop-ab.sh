#!/bin/bash
cd /work/main
for round in 1 2; do
  for v in nopre pre; do
    if [ $v = nopre ]; then export FERRY_JAVA_OPTS="-Xmx3g -Dferry.no.table.topics=true"; else export FERRY_JAVA_OPTS="-Xmx3g"; fi
    FERRY_NO_BUILD=1 ./ferry bench --only migrate --rows 862000 --runs 2 --skip pgloader --out /tmp/exp/ab-$v-$round > /tmp/exp/ab-$v-$round.out 2>&1
    echo "$v $round: $(grep -E 'run [0-9]:' /tmp/exp/ab-$v-$round.out | sed -E 's/.*(ferry_migrate_[a-z]+) +run ([0-9]): [0-9,]+ rows in ([0-9.]+) s.*deployed after ([0-9.]+) s.*CPU ([0-9.]+) s/\1 \2 \3s dep \4 cpu \5/' | tr '\n' ';')" >> /tmp/exp/ab.txt
  done
done
