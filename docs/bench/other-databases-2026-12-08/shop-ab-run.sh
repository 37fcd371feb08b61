#!/usr/bin/env bash
# A/B: shipped mariadb-source.json (A) against the same with schema.history.internal.store.only.captured.databases.ddl=true (B)
cd /work/main
cp connectors/mariadb-source.json /tmp/ab/orig.json
python3 - <<'PY'
import json
d=json.load(open('/tmp/ab/orig.json'))
c=d['config']; items=list(c.items())
i=[k for k,_ in items].index('schema.history.internal.kafka.topic')
items.insert(i+1,('schema.history.internal.store.only.captured.databases.ddl','true'))
d['config']=dict(items)
open('/tmp/ab/b.json','w').write(json.dumps(d,indent=2)+'\n')
PY
for round in 1 2; do
  for v in A B; do
    if [ $v = B ]; then cp /tmp/ab/b.json connectors/mariadb-source.json; else cp /tmp/ab/orig.json connectors/mariadb-source.json; fi
    FERRY_NO_BUILD=1 timeout 900 java -Xmx3g -Djdk.attach.allowAttachSelf=true -Dferry.home=$PWD -Dferry.plugin.path=$PWD/connect-plugins/target/plugin-path -cp "ferry-cli/target/ferry-cli.jar:ferry-cli/target/lib/*" io.ferry.cli.Ferry bench --only migrate --rows 862000 --runs 1 --skip pgloader --out /tmp/ab/out-$v-$round > /tmp/ab/bench-$v-$round.log 2>&1
    d=$(ls -td /tmp/ferry-bench*/ | head -1)
    echo "== $v round $round ($d)"; grep "run 1:" /tmp/ab/bench-$v-$round.log
    for m in designed shipped many_tables; do
      f=$d/migrate-$m-1/ferry.log
      s5=$(grep -m1 "Snapshot step 5" $f | cut -c12-23); s7=$(grep -m1 "Snapshot step 7" $f | cut -c12-23); n=$(grep -c "Adding table" $f)
      echo "   $m: step5 $s5 step7 $s7 tables-in-history $n"
    done
    mkdir -p /tmp/ab/logs-$v-$round && cp $d/migrate-*-1/ferry.log /tmp/ab/logs-$v-$round/ 2>/dev/null; for m in designed shipped many_tables; do cp $d/migrate-$m-1/ferry.log /tmp/ab/logs-$v-$round/$m.log; done
    rm -rf $d
  done
done
cp /tmp/ab/orig.json connectors/mariadb-source.json
