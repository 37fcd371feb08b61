#!/usr/bin/env python3
"""Where a Ferry sink's PostgreSQL backend spent each drain, from sample.sh's output.

Per database (one per timed sink run), consecutive samples in the same class are joined into stretches; the first and
last stretch of a run (connection set-up, and the idle tail until the bench sees the last row) are left out. Classes:
  copy-busy         inside COPY, working (parsing, inserting, writing pages)
  copy-wait-client  inside COPY, waiting for the next bytes from Ferry's writer
  in-tx-client      inside a batch's transaction, between statements, waiting for Ferry's next statement
  between           between transactions: the last batch committed, the next not yet begun
  other-stmt        running any other statement (offsets, counters, COMMIT, catalog reads)
A stretch shorter than the sampling interval is not seen, so short waits are undercounted.
usage: pgwaits.py samples.txt
"""
import collections
import datetime
import sys


def ts(s):
    return datetime.datetime.fromisoformat(s.replace('+00', ''))


def cls(state, wait, query):
    if state == 'idle':
        return 'between'
    if query.startswith('COPY') and state == 'active':
        return 'copy-wait-client' if wait == 'ClientRead' else 'copy-busy'
    if state == 'idle in transaction':
        return 'in-tx-client'
    return 'other-stmt'


rows = [line.rstrip('\n').split('|') for line in open(sys.argv[1]) if line.count('|') >= 5]
order = []
by_db = collections.defaultdict(list)
for r in rows:
    if r[1] not in by_db:
        order.append(r[1])
    by_db[r[1]].append(r)
for db in order:
    r = by_db[db]
    span = (ts(r[-1][0]) - ts(r[0][0])).total_seconds()
    interval = span / len(r)
    stretches = []
    for t, _, state, _, wait, query in r:
        c = cls(state, wait, query)
        if not stretches or stretches[-1][0] != c:
            stretches.append([c, 0])
        stretches[-1][1] += 1
    total = collections.Counter()
    count = collections.Counter()
    for c, k in stretches[1:-1]:
        total[c] += k * interval
        count[c] += 1
    seen = sum(total.values())
    print('%s: %d samples, one per %.1f ms, over %.2f s; %.2f s between its first and last stretch'
          % (db, len(r), interval * 1000, span, seen))
    for c in ('copy-busy', 'copy-wait-client', 'in-tx-client', 'between', 'other-stmt'):
        if count[c]:
            print('   %-17s %5.2f s %5.1f%%  in %3d stretches (mean %.1f ms)'
                  % (c, total[c], 100 * total[c] / seen, count[c], 1000 * total[c] / count[c]))
