package io.ferry.sink;

import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.IntFunction;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * snapshot.copy.format=binary (the default) against text on a real PostgreSQL, on a hand-written target design: the
 * same records (a full load with values at the edges of every type, changes, and a full load delivered again over
 * loaded rows) through a task of each format must leave the same rows, value for value as PostgreSQL prints them.
 * Text is the reference: PostgreSQL itself parses it, so this compares the binary encoder with PostgreSQL's own
 * reading of the text path, not with itself.
 */
class BinaryCopyTest {

    static final String TOPIC = "srv.shop.wide";
    static final Schema KEY = SchemaBuilder.struct().name("k").field("Id", Schema.INT32_SCHEMA).build();
    static final Schema ROW = SchemaBuilder.struct().name("wide").optional()
            .field("Id", Schema.INT32_SCHEMA)
            .field("small", Schema.OPTIONAL_INT16_SCHEMA)
            .field("big", Schema.OPTIONAL_INT64_SCHEMA)
            .field("flag", Schema.OPTIONAL_BOOLEAN_SCHEMA)
            .field("tiny", SchemaBuilder.int16().optional().parameter("__debezium.source.column.type", "TINYINT")
                    .parameter("__debezium.source.column.length", "1").build())
            .field("f4", Schema.OPTIONAL_FLOAT32_SCHEMA)
            .field("f8", Schema.OPTIONAL_FLOAT64_SCHEMA)
            .field("price", Decimal.builder(2).optional().build())
            .field("exact", Decimal.builder(7).optional().build())
            .field("ratio", Schema.OPTIONAL_FLOAT64_SCHEMA)
            .field("name", Schema.OPTIONAL_STRING_SCHEMA)
            .field("code", Schema.OPTIONAL_STRING_SCHEMA)
            .field("body", Schema.OPTIONAL_STRING_SCHEMA)
            .field("doc", SchemaBuilder.string().name("io.debezium.data.Json").optional().build())
            .field("js", Schema.OPTIONAL_STRING_SCHEMA)
            .field("raw", Schema.OPTIONAL_BYTES_SCHEMA)
            .field("created", SchemaBuilder.int64().name("io.debezium.time.MicroTimestamp").optional().build())
            .field("created_ms", SchemaBuilder.int64().name("io.debezium.time.Timestamp").optional().build())
            .field("updated", SchemaBuilder.string().name("io.debezium.time.ZonedTimestamp").optional().build())
            .field("day", SchemaBuilder.int32().name("io.debezium.time.Date").optional().build())
            .field("widened", Schema.OPTIONAL_INT32_SCHEMA)
            .build();

    static final String DDL = """
            CREATE TABLE wide ("Id" integer PRIMARY KEY, small smallint, big bigint, flag boolean, tiny boolean,
              f4 real, f8 double precision, price numeric(12,2), exact numeric, ratio numeric, name varchar(40),
              code char(3), body text, doc jsonb, js json, raw bytea, created timestamp(6), created_ms timestamp(3),
              updated timestamptz, day date, widened bigint);
            """;

    static final int ROWS = 3000;
    static final String[] TEXTS = {"", "plain", "tab\there", "line\nbreak\r\n", "back\\slash", "ünïcödé ✓ 𝄞",
            "NUL\0inside", "\\N", "  padded  ", "\"quoted\""};

    static Struct row(int id, int variant) {
        Random r = new Random(id * 31L + variant);
        Struct s = new Struct(ROW).put("Id", id);
        if (id % 17 == 0) {
            return s; // every other column NULL
        }
        s.put("small", (short) (r.nextInt(65536) - 32768));
        s.put("big", id % 5 == 0 ? Long.MIN_VALUE + id : r.nextLong());
        s.put("flag", r.nextBoolean());
        s.put("tiny", (short) r.nextInt(3));
        s.put("f4", id % 11 == 0 ? Float.NaN : r.nextFloat() * 1e6f - 5e5f);
        s.put("f8", id % 13 == 0 ? Double.NEGATIVE_INFINITY : r.nextGaussian() * Math.pow(10, r.nextInt(40) - 20));
        s.put("price", BigDecimal.valueOf(r.nextLong() % 100_000_000_000L, 2));
        s.put("exact", new BigDecimal(new BigInteger(20 + r.nextInt(80), r).multiply(BigInteger.valueOf(r.nextBoolean() ? 1 : -1)), 7));
        s.put("ratio", r.nextDouble() * 1000);
        s.put("name", TEXTS[r.nextInt(TEXTS.length)] + id);
        s.put("code", id % 3 == 0 ? "ab" : "xyz");
        s.put("body", TEXTS[r.nextInt(TEXTS.length)].repeat(1 + r.nextInt(30)));
        s.put("doc", "{\"k\": " + id + ", \"s\": \"" + (id % 2 == 0 ? "é\\t" : "x") + "\", \"n\": [1.50, null]}");
        s.put("js", "{ \"keep\" :  \"spacing\" , \"id\": " + id + " }");
        byte[] raw = new byte[r.nextInt(40)];
        r.nextBytes(raw);
        s.put("raw", raw);
        // from 0001 BC to 9999 AD, microseconds included; millis for timestamp(3)
        s.put("created", -62_198_755_200_000_000L + (long) (r.nextDouble() * 315_000_000_000_000_000L));
        s.put("created_ms", -62_198_755_200_000L + (long) (r.nextDouble() * 315_000_000_000_000L));
        s.put("updated", id % 4 == 0 ? "2024-03-01T12:34:56.123456Z" : id % 4 == 1 ? "1999-12-31T23:59:59+05:30"
                : "2030-06-15T00:00:00.5-08:00");
        s.put("day", r.nextInt(3_000_000) - 800_000);
        s.put("widened", r.nextInt());
        return s;
    }

    static List<SinkRecord> records(int from, int to, long firstOffset, String op, IntFunction<Struct> after) {
        List<SinkRecord> out = new ArrayList<>();
        for (int id = from; id < to; id++) {
            long offset = firstOffset + (id - from);
            String snapshot = op.equals("r") ? (offset == 0 ? "first" : "true") : null;
            Struct a = after.apply(id);
            Schema schema = a == null ? ROW : a.schema();
            out.add(Envelopes.record(TOPIC, offset, new Struct(KEY).put("Id", id), schema, op,
                    op.equals("d") ? new Struct(ROW).put("Id", id) : null, a, snapshot));
        }
        return out;
    }

    /** The row shape before a column was added at the source: every field of ROW but the last. */
    static final Schema EARLIER_ROW;

    static {
        SchemaBuilder b = SchemaBuilder.struct().name("wide").version(1).optional();
        ROW.fields().stream().filter(f -> !f.name().equals("widened")).forEach(f -> b.field(f.name(), f.schema()));
        EARLIER_ROW = b.build();
    }

    static Struct earlierRow(int id) {
        Struct full = row(id, 0);
        Struct s = new Struct(EARLIER_ROW);
        EARLIER_ROW.fields().forEach(f -> s.put(f.name(), full.get(f.name())));
        return s;
    }

    long binaryRows;

    /** The whole story through one task of the given format; the table as PostgreSQL prints it. */
    List<List<Object>> run(String format) throws Exception {
        FerrySinkTaskTest db = new FerrySinkTaskTest();
        db.database();
        FerrySinkTask task = db.task(new RecordingContext(false), Map.of("target.ddl", DDL,
                "snapshot.copy.format", format, "tinyint1.as.boolean", "true"));
        long offset = 0;
        for (int from = 0; from < ROWS; from += 1000) {
            int batch = from;
            task.put(records(from, from + 1000, offset, "r", id -> {
                Struct s = row(id, 0);
                // deep in the last batch (chunks already sent): a value numeric takes as text only
                if (batch == 2000 && id == 2600) {
                    s.put("ratio", Double.NaN);
                }
                return s;
            }));
            offset += 1000;
        }
        task.put(records(0, 300, offset, "u", id -> row(id, 1)));
        offset += 300;
        task.put(records(300, 400, offset, "d", id -> null));
        offset += 100;
        // Debezium's full load again after a restart: the same keys at new offsets, over rows already there
        task.put(records(0, 300, offset, "r", id -> row(id, 2)));
        binaryRows = task.binaryCopyRows();
        task.stop();
        return db.rows("SELECT t::text FROM wide t ORDER BY \"Id\"");
    }

    /** Two batches of a full load into the design without its key, through one task of the given format. */
    List<List<Object>> loadKeyless(String format) throws Exception {
        FerrySinkTaskTest db = new FerrySinkTaskTest();
        db.database();
        FerrySinkTask task = db.task(new RecordingContext(false), Map.of("target.ddl",
                DDL.replace("\"Id\" integer PRIMARY KEY", "\"Id\" integer NOT NULL"),
                "snapshot.copy.format", format, "tinyint1.as.boolean", "true"));
        task.put(records(0, 1000, 0, "r", id -> row(id, 0)));
        // the earlier shape first (binary, written), then the current one, which meets a NaN numeric takes as text only
        task.put(records(1000, 2000, 1000, "r", id -> id < 1500 ? earlierRow(id) : id == 1600
                ? row(id, 0).put("ratio", Double.NaN) : row(id, 0)));
        binaryRows = task.binaryCopyRows();
        task.stop();
        return db.rows("SELECT t::text FROM wide t ORDER BY \"Id\"");
    }

    /**
     * A table without a key, in a batch of two row shapes (a column added at the source mid-load) whose second meets a
     * value without a binary form: the first shape's rows are written once, the second's as text, none lost.
     */
    @Test
    void aKeylessTableMeetingATextOnlyValueKeepsEveryRowOnce() throws Exception {
        List<List<Object>> text = loadKeyless("text");
        List<List<Object>> binary = loadKeyless("binary");
        // 1000 in the first batch and the second's 500 rows of the earlier shape; the rest went as text
        assertThat(binaryRows).isEqualTo(1500);
        assertThat(text).hasSize(2000);
        assertThat(text.toString()).contains("NaN");
        assertThat(binary).hasSize(2000);
        for (int i = 0; i < text.size(); i++) {
            assertThat(binary.get(i)).as("row %d", i).isEqualTo(text.get(i));
        }
    }

    @Test
    void binaryCopyLeavesWhatTextCopyLeaves() throws Exception {
        List<List<Object>> text = run("text");
        assertThat(binaryRows).isZero();
        List<List<Object>> binary = run("binary");
        // the first two batches went binary; the third met its NaN and went as text, as did all after it
        assertThat(binaryRows).isEqualTo(2000);
        assertThat(text).hasSize(ROWS - 100);
        assertThat(text.get(0).get(0).toString()).as("row 0 written (the NULL row)").startsWith("(0,,");
        assertThat(text.toString()).contains("NaN").contains("BC");
        for (int i = 0; i < text.size(); i++) {
            assertThat(binary.get(i)).as("row %d", i).isEqualTo(text.get(i));
        }
        assertThat(binary).hasSize(text.size());
    }
}
