#!/usr/bin/env python3
"""Splits the CPU samples of the source side's threads in a JFR recording of `ferry bench --only end-to-end` by
component: Debezium's snapshot reader (the JDK pool thread that reads rows and builds change events) and Connect's
source task thread (Ferry's converter encoding, the producer).

Usage (JDK 21+ for `jfr print`; the recording itself comes from JDK 17):
  FERRY_JAVA_OPTS="-Xmx3g -XX:StartFlightRecording=filename=/tmp/e2e.jfr,settings=profile" \
      ./ferry bench --rows 1000000 --runs 2 --only end-to-end --skip pgloader --out /tmp/e2ejfr
  jfr print --stack-depth 80 --events jdk.ExecutionSample /tmp/e2e.jfr > /tmp/e2e.samples.txt
  python3 categories.py /tmp/e2e.samples.txt

Threads are told apart by their stacks (Connect renames its pool threads after JFR has seen them). The first category
a stack matches wins.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from jfr_samples import read_samples, split  # noqa: E402 (docs/bench/jfr_samples.py)

READER = [
    ("Debezium's LastEvent metric: a summary string of every event, a new Jackson ObjectMapper each (dbz#2492)",
     'io.debezium.pipeline.meters.CommonEventMeter.onEvent'),
    ('the source position struct of every event', 'io.debezium.connector.AbstractSourceInfo.struct'),
    ('JDBC: reading and decoding the row (MariaDB Connector/J, field readers)', 'io.debezium.jdbc.JdbcConnection.rowToArray'),
    ("the row's Connect value (converters, Struct.put validation)", 'io.debezium.relational.TableSchema.valueFromColumnData'),
    ('the rest of building and queueing the change event', 'io.debezium.relational.RelationalChangeRecordEmitter.emitReadRecord'),
]
SOURCE_TASK = [
    ("Ferry's converter: FerryBinaryConverter.fromConnectData", 'io.ferry.converter.FerryBinaryConverter.fromConnectData'),
    ('Kafka producer: send, batching, compression', 'org.apache.kafka.clients.producer.KafkaProducer.send'),
    ("Debezium's poll: taking events from its queue", 'io.debezium.connector.common.BaseSourceTask.poll'),
    ('Connect around them: transforms, headers, offsets', 'org.apache.kafka.connect.runtime.AbstractWorkerSourceTask.execute'),
]


def main():
    samples = read_samples(sys.argv[1])
    for title, marker, categories in (
            ("Debezium's snapshot reader", 'RelationalSnapshotChangeEventSource.doCreateDataEventsForTable', READER),
            ("Connect's source task thread", 'org.apache.kafka.connect.runtime.AbstractWorkerSourceTask.execute',
             SOURCE_TASK)):
        n, counts = split(samples, marker, categories)
        print(f'{title}: {n} samples')
        for name, c in counts.most_common():
            print(f'  {100.0 * c / max(n, 1):5.1f}%  {c:5d}  {name}')


if __name__ == '__main__':
    main()
