package io.ferry.sink.state;

import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.sink.SinkRecord;

import java.math.BigDecimal;
import java.util.Date;

/** Debezium MariaDB change events on a keyed table of several types, as the fence sees them. */
final class BinlogEvents {
    private BinlogEvents() {}

    static final String TOPIC = "srv.shop.orders";
    static final Schema KEY = SchemaBuilder.struct().name("srv.shop.orders.Key").field("id", Schema.INT64_SCHEMA).build();
    static final Schema ROW = SchemaBuilder.struct().name("srv.shop.orders.Value").optional()
            .field("id", Schema.INT64_SCHEMA).field("note", Schema.OPTIONAL_STRING_SCHEMA)
            .field("qty", Schema.OPTIONAL_INT32_SCHEMA).field("price", Decimal.builder(2).optional().build())
            .field("at", Timestamp.builder().optional().build()).field("blob", Schema.OPTIONAL_BYTES_SCHEMA).build();
    static final Schema SOURCE = SchemaBuilder.struct().name("io.debezium.connector.mariadb.Source")
            .field("server_id", Schema.INT64_SCHEMA).field("file", Schema.STRING_SCHEMA).field("pos", Schema.INT64_SCHEMA)
            .field("row", Schema.INT32_SCHEMA).build();
    static final Schema TX = SchemaBuilder.struct().name("event.block").optional().field("id", Schema.STRING_SCHEMA)
            .field("total_order", Schema.INT64_SCHEMA).field("data_collection_order", Schema.INT64_SCHEMA).build();
    static final Schema ENVELOPE = SchemaBuilder.struct().name("srv.shop.orders.Envelope")
            .field("before", ROW).field("after", ROW).field("source", SOURCE).field("transaction", TX)
            .field("op", Schema.STRING_SCHEMA).build();

    static Struct row(long id, String note) {
        return new Struct(ROW).put("id", id).put("note", note).put("qty", (int) id % 7)
                .put("price", new BigDecimal("12.50")).put("at", new Date(1_700_000_000_000L + id))
                .put("blob", new byte[] {1, 2, (byte) id});
    }

    static Struct key(long id) {
        return new Struct(KEY).put("id", id);
    }

    /** An update of row id at binlog position pos (its transaction's BEGIN), order-th event of the transaction. */
    static Struct update(long id, String before, String after, long pos, long order) {
        Struct source = new Struct(SOURCE).put("server_id", 1L).put("file", "mariadb-bin.000007").put("pos", pos)
                .put("row", 0);
        Struct tx = new Struct(TX).put("id", "0-1-" + pos).put("total_order", order).put("data_collection_order", order);
        return new Struct(ENVELOPE).put("before", row(id, before)).put("after", row(id, after)).put("source", source)
                .put("transaction", tx).put("op", "u");
    }

    static SinkRecord record(long offset, Struct envelope) {
        Struct after = envelope.getStruct("after");
        return new SinkRecord(TOPIC, 0, KEY, key(after.getInt64("id")), ENVELOPE, envelope, offset);
    }
}
