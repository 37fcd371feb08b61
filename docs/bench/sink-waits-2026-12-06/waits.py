#!/usr/bin/env python3
"""Where Ferry's sink threads wait, from a JFR recording of `ferry bench --only sink` (JFR's "profile" settings keep
socket reads and parks of 10 ms or more, so shorter waits are not counted).

Usage (JDK 21+ for `jfr print`):
  FERRY_JAVA_OPTS="-Xmx3g -XX:StartFlightRecording=filename=/tmp/sink.jfr,settings=profile" \
      ./ferry bench --rows 1000000 --runs 2 --only sink --out /tmp/sinkjfr
  jfr print --json --stack-depth 30 --events jdk.ThreadPark,jdk.SocketRead /tmp/sink.jfr > /tmp/waits.json
  python3 waits.py /tmp/waits.json

The task thread waits in BackgroundWrite.settle() for the batch before the one it has decoded; the writer waits in
pgjdbc's endCopy for PostgreSQL to finish a COPY whose last byte it has sent (binary COPY in BinaryCopy.send, text COPY
in SegmentWriter.copyRows). Of the recording's runs, the overlapping ones (as shipped and text COPY) wait in settle().
"""
import collections
import json
import sys


def seconds(iso):
    s, t = iso[2:], 0.0
    if 'M' in s:
        m, s = s.split('M')
        t += 60 * float(m)
    return t + (float(s[:-1]) if s.endswith('S') else 0.0)


def main():
    events = json.load(open(sys.argv[1]))['recording']['events']
    total, count = collections.Counter(), collections.Counter()
    for e in events:
        v = e['values']
        frames = [f['method']['type']['name'].split('/')[-1] + '.' + f['method']['name']
                  for f in (v['stackTrace']['frames'] if v.get('stackTrace') else [])]
        stack = ' '.join(frames)
        if e['type'] == 'jdk.ThreadPark' and 'BackgroundWrite.settle' in stack:
            key = 'sink task thread: waits for the writer (BackgroundWrite.settle)'
        elif e['type'] == 'jdk.SocketRead' and 'BackgroundWrite' in stack and 'endCopy' in stack:
            key = ('writer: waits for PostgreSQL to finish a binary COPY' if 'BinaryCopy.send' in stack
                   else 'writer: waits for PostgreSQL to finish a text COPY')
        elif e['type'] == 'jdk.SocketRead' and 'BackgroundWrite' in stack:
            key = 'writer: waits for PostgreSQL on another statement (commit, offsets)'
        else:
            continue
        total[key] += seconds(v['duration'])
        count[key] += 1
    for key, t in total.most_common():
        print(f'{t:7.2f} s  {count[key]:5d} waits  {key}')


if __name__ == '__main__':
    main()
