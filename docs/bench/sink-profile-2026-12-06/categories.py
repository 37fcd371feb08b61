#!/usr/bin/env python3
"""Splits the CPU samples of Ferry's sink threads in a JFR recording of `ferry bench --only sink` by component.

Usage (JDK 21+ for `jfr print`; the recording itself comes from JDK 17):
  FERRY_JAVA_OPTS="-Xmx3g -XX:StartFlightRecording=filename=/tmp/sink.jfr,settings=profile" \
      ./ferry bench --rows 1000000 --runs 2 --only sink --out /tmp/sinkjfr
  jfr print --stack-depth 120 --events jdk.ExecutionSample /tmp/sink.jfr > /tmp/sink.samples.txt
  python3 categories.py /tmp/sink.samples.txt

Connect renames its pool threads per task after JFR has seen them, so threads are told apart by their stacks:
the sink task thread runs WorkerSinkTask (Debezium's JDBC sink is left out), Ferry's writer runs BackgroundWrite.
The first category a stack matches wins. The second share leaves out the category that belongs to one run only (the
no-overlap run's writes on the task thread, the text-copy run's encoding on the writer), which the README quotes.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from jfr_samples import read_samples, split  # noqa: E402 (docs/bench/jfr_samples.py)

TASK = [
    ('Ferry write on the task thread (the no-overlap run only)', 'io.ferry.sink.write.SinkWriter.write'),
    ('Ferry converter: FerryBinaryConverter.toConnectData', 'io.ferry.converter.FerryBinaryConverter.toConnectData'),
    ('Ferry put: change-event decode, redelivery fence, counters', 'io.ferry.sink.FerrySinkTask.put'),
    ('Kafka consumer poll: fetch, LZ4, record parsing', 'org.apache.kafka.connect.runtime.WorkerSinkTask.pollConsumer'),
    ('Connect around the converter: record iteration, headers, SinkRecord, error handling',
     'org.apache.kafka.connect.runtime.WorkerSinkTask.convertMessages'),
]
WRITER = [
    ('socket writes to PostgreSQL', 'org.postgresql.util.internal.PgBufferedOutputStream.flushBuffer'),
    ('binary COPY encoding (BinaryForms)', 'io.ferry.sink.write.BinaryForms.write'),
    ('text COPY encoding (PgText, CopyStream; the text-copy run only)', 'io.ferry.sink.write.SegmentWriter.appendCopyRow'),
    ('redelivery fence', 'io.ferry.sink.state.RedeliveryFence.filter'),
    ('per-table counters', 'io.ferry.sink.stats.TableCounters.count'),
    ('the rest of the batch write: COPY framing, commit, offsets', 'io.ferry.sink.write.SinkWriter.write'),
]


def main():
    samples = read_samples(sys.argv[1])
    for title, marker, exclude, categories in (
            ('sink task thread', 'WorkerSinkTask', r'debezium\.connector\.jdbc|JdbcSink', TASK),
            ("Ferry's COPY writer thread", 'io.ferry.sink.flow.BackgroundWrite', None, WRITER)):
        n, counts = split(samples, marker, categories, exclude)
        one_run = next(name for name, _ in categories if 'run only' in name)
        rest = max(n - counts[one_run], 1)
        print(f'{title}: {n} samples ({n - counts[one_run]} without "{one_run}")')
        for name, c in counts.most_common():
            without = '' if name == one_run else f'{100.0 * c / rest:5.1f}%'
            print(f'  {c:5d}  {100.0 * c / max(n, 1):5.1f}%  {without:>6}  {name}')


if __name__ == '__main__':
    main()
