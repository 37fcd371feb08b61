package io.ferry.transforms.util;

import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.data.Struct;

/** Which source table a record belongs to: the envelope's source.table, else the topic's last dot-separated part. */
public final class Tables {
    private Tables() {}

    public static String of(ConnectRecord<?> record) {
        if (record.value() instanceof Struct value && RowImages.isEnvelope(value.schema())
                && value.schema().field("source") != null) {
            Struct source = value.getStruct("source");
            if (source != null && source.schema().field("table") != null && source.get("table") != null) {
                return source.getString("table");
            }
        }
        String topic = record.topic();
        return topic.substring(topic.lastIndexOf('.') + 1);
    }
}
