"""Where a new `ferry migrate` command's JIT time goes, by the component that owns the compiled method.

Input: `jfr print --json --events jdk.Compilation REC.jfr > REC.json` of a recording made with a settings file whose
jdk.Compilation threshold is 0 ms (every compilation recorded), e.g.
  cp $JAVA_HOME/lib/jfr/profile.jfc /tmp/jit.jfc   # then set jdk.Compilation's threshold to "0 ms"
  FERRY_JAVA_OPTS="-Xmx3g -XX:StartFlightRecording=filename=/tmp/jfrdir/,settings=/tmp/jit.jfc" ./ferry bench ...
(a directory as the file name: every JVM the bench starts writes its own recording there).
Usage: python3 jit.py REC.json [REC.json ...]
The durations are the compilations' wall time, which on a busy 2-core machine includes time a compiler thread waited
for a core; read the shares, and take the seconds of CPU from the bench report's JIT column."""
import collections
import json
import re
import sys

# first matching prefix wins; Kafka's clients and common packages serve the broker, Connect and both connectors alike
COMPONENTS = [
    ('io/ferry/', 'Ferry (converter, sink, transforms)'),
    ('io/debezium/', 'Debezium'),
    ('org/antlr/', "ANTLR (Debezium's DDL parser)"),
    ('org/mariadb/', 'MariaDB Connector/J'),
    ('com/github/shyiko/', 'binlog client'),
    ('org/postgresql/', 'pgjdbc'),
    ('org/apache/kafka/connect/', 'Kafka Connect runtime'),
    ('org/apache/kafka/clients/', 'Kafka clients (producer, consumer, admin)'),
    ('org/apache/kafka/common/', 'Kafka common (records, network, metrics)'),
    ('org/apache/kafka/', 'Kafka broker (log, raft, metadata, server)'),
    ('kafka/', 'Kafka broker (log, raft, metadata, server)'),
    ('scala/', 'Kafka broker (log, raft, metadata, server)'),
    ('com/fasterxml/', 'Jackson'),
    ('org/eclipse/jetty/', 'Jetty and Jersey (REST)'),
    ('org/glassfish/', 'Jetty and Jersey (REST)'),
    ('java/', 'JDK'),
    ('jdk/', 'JDK'),
    ('sun/', 'JDK'),
]


def seconds(iso):
    m = re.match(r'PT(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?', iso)
    return int(m.group(1) or 0) * 3600 + int(m.group(2) or 0) * 60 + float(m.group(3) or 0)


def component(type_name):
    return next((name for prefix, name in COMPONENTS if type_name.startswith(prefix)), 'other')


def main(paths):
    for path in paths:
        events = json.load(open(path))['recording']['events']
        by = collections.Counter()
        levels = collections.Counter()
        count = collections.Counter()
        for e in events:
            v = e['values']
            t = seconds(v['duration'])
            tier = 'C2' if v['compileLevel'] == 4 else 'C1'
            levels[tier] += t
            name = component(v['method']['type']['name'])
            by[name] += t
            count[name] += 1
        total = sum(levels.values())
        print(f'{path}: {len(events)} compilations, {total:.1f} s of compiler time '
              f'(C2 {levels["C2"]:.1f} s, C1 {levels["C1"]:.1f} s)')
        for name, t in by.most_common():
            print(f'  {100 * t / total:5.1f}%  {t:5.1f} s  {count[name]:6d}  {name}')


if __name__ == '__main__':
    main(sys.argv[1:])
