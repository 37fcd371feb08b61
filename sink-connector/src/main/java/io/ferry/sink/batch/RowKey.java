package io.ferry.sink.batch;

import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** A primary-key value usable as a map key (byte arrays compared by content). */
public record RowKey(List<Object> values) {

    public static RowKey of(Struct key) {
        List<Object> values = new ArrayList<>(key.schema().fields().size());
        for (Field f : key.schema().fields()) {
            Object v = key.get(f);
            values.add(v instanceof byte[] bytes ? ByteBuffer.wrap(bytes) : v);
        }
        return new RowKey(values);
    }
}
