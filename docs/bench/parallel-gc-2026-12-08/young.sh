#!/usr/bin/env bash
cd /work/main
for round in 1 2; do
  for v in g1 g1_young1200m; do
    case $v in
      g1) opts="-Xmx3g" ;;
      g1_young1200m) opts="-Xmx3g -Xmn1200m" ;;
    esac
    out=/tmp/ab/y-$round-$v
    rm -rf $out
    FERRY_NO_BUILD=1 FERRY_JAVA_OPTS="$opts" ./ferry bench --only end-to-end --rows 1000000 --runs 3 --skip pgloader --out $out > $out.log 2>&1
    echo "$round $v $(grep -E '^\| ferry_end_to_end_binary \| [0-9]' $out/report.md | head -1 | cut -d'|' -f2-8)"
  done
done
