package io.ferry.converter;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.utils.AppInfoParser;
import org.apache.kafka.connect.components.Versioned;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.storage.Converter;

import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * A self-describing binary format for Connect records that needs no schema registry. Each record is
 * {@code 'F', format (2; 1 is still read), 8-byte schema fingerprint, schema length, schema bytes, value bytes}:
 * any record can be read alone, like JsonConverter with schemas, but a reader decodes each distinct schema once and
 * afterwards only recognises it (the writer's fingerprint, then a byte comparison with the schema it decoded, so a
 * collision can never give a wrong schema), and values are laid out by the schema instead of as JSON text with field
 * names. The repeated schema bytes are what the producer's batch compression (lz4, zstd) removes best.
 * <p>
 * Choose it on both sides: the source connector writes it ({@code value.converter} and {@code key.converter}), every
 * sink reading the topics reads it. Consumers outside Connect need this jar (the format is documented in the README).
 * A null value is a tombstone (null bytes); a value without a schema is refused.
 */
public class FerryBinaryConverter implements Converter, Versioned {

    static final byte MAGIC = 'F';
    /** The newest format, written unless {@link #FORMAT_CONFIG} says 1; both are read. */
    static final int FORMAT = 2;

    public static final String CACHE_SIZE_CONFIG = "schemas.cache.size";
    private static final String CACHE_SIZE_DOC = "Distinct schemas remembered per converter, each way (a table's key "
            + "and value schema, once per schema change). When full, the cache starts over.";
    public static final String FORMAT_CONFIG = "format.version";
    private static final String FORMAT_DOC = "The format written: 2 (each string and each repeated struct of a schema "
            + "written once: a Debezium change event's schema in about a third of format 1's bytes) or 1 (the format of "
            + "Ferry 0.1, for readers that know no other while they are being upgraded). Both are always read.";
    public static final ConfigDef CONFIG_DEF = new ConfigDef()
            .define(CACHE_SIZE_CONFIG, ConfigDef.Type.INT, 1000, ConfigDef.Range.atLeast(1), ConfigDef.Importance.LOW,
                    CACHE_SIZE_DOC)
            .define(FORMAT_CONFIG, ConfigDef.Type.INT, FORMAT, ConfigDef.Range.between(1, FORMAT),
                    ConfigDef.Importance.LOW, FORMAT_DOC);

    private final ByteSink sink = new ByteSink();
    private final Map<Schema, Written> written = new IdentityHashMap<>();
    private final Map<Long, Known> read = new HashMap<>();
    private int cacheSize = 1000;
    private int writeFormat = FORMAT;
    private boolean isKey;

    /** A schema written before: its header bytes and how to write its values. */
    private record Written(byte[] header, WritePlan plan) {}

    /** A schema read before, with the bytes it came as. */
    private record Known(int format, byte[] bytes, Schema schema, ReadPlan plan) {}

    @Override
    public ConfigDef config() {
        return CONFIG_DEF;
    }

    @Override
    public String version() {
        return AppInfoParser.getVersion();
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        this.isKey = isKey;
        AbstractConfig config = new AbstractConfig(CONFIG_DEF, configs);
        this.cacheSize = config.getInt(CACHE_SIZE_CONFIG);
        this.writeFormat = config.getInt(FORMAT_CONFIG);
    }

    @Override
    public synchronized byte[] fromConnectData(String topic, Schema schema, Object value) {
        if (value == null) {
            return null;
        }
        if (schema == null) {
            throw new DataException("FerryBinaryConverter needs a schema: the " + (isKey ? "key" : "value")
                    + " of a record for topic " + topic + " has none");
        }
        Written cached = written.get(schema);
        if (cached == null) {
            cached = new Written(header(schema, writeFormat), WritePlan.of(schema));
            if (written.size() >= cacheSize) {
                written.clear();
            }
            written.put(schema, cached);
        }
        sink.reset();
        sink.write(cached.header);
        try {
            cached.plan.write(sink, value);
        } catch (DataException e) {
            throw new DataException("cannot write the " + (isKey ? "key" : "value") + " of a record for topic " + topic
                    + ": " + e.getMessage(), e);
        }
        return sink.toArray();
    }

    /** Magic, format, fingerprint, schema length and schema: the same bytes for every record of this schema. */
    private static byte[] header(Schema schema, int format) {
        ByteSink schemaSink = new ByteSink();
        Schemas.write(schemaSink, schema, format);
        byte[] schemaBytes = schemaSink.toArray();
        ByteSink out = new ByteSink();
        out.write(MAGIC);
        out.write(format);
        out.fixed64(fingerprint(schemaBytes));
        out.varint(schemaBytes.length);
        out.write(schemaBytes);
        return out.toArray();
    }

    /** 64-bit FNV-1a: computed once per schema by the writer, so readers need not hash anything. */
    static long fingerprint(byte[] bytes) {
        long h = 0xcbf29ce484222325L;
        for (byte b : bytes) {
            h ^= b & 0xFF;
            h *= 0x100000001b3L;
        }
        return h;
    }

    @Override
    public synchronized SchemaAndValue toConnectData(String topic, byte[] value) {
        if (value == null) {
            return SchemaAndValue.NULL;
        }
        try {
            ByteSource in = new ByteSource(value);
            int format = value.length < 2 || in.read() != MAGIC ? -1 : in.read();
            if (format < 1 || format > FORMAT) {
                throw new DataException("not written by FerryBinaryConverter format 1 to " + FORMAT
                        + " (it starts with 'F' and the format); was the topic written with another converter, or a "
                        + "newer Ferry?");
            }
            long fingerprint = in.fixed64();
            int length = in.varint();
            int start = in.pos;
            in.skip(length);
            Known known = known(format, fingerprint, value, start, length);
            Object v = known.plan.read(in);
            if (!in.atEnd()) {
                throw new DataException((value.length - in.pos) + " bytes left after the value");
            }
            return new SchemaAndValue(known.schema, v);
        } catch (DataException | IllegalArgumentException e) {
            throw new DataException("cannot read the " + (isKey ? "key" : "value") + " of a record from topic " + topic
                    + ": " + e.getMessage(), e);
        }
    }

    private Known known(int format, long fingerprint, byte[] record, int start, int length) {
        Known known = read.get(fingerprint);
        if (known != null && known.format == format
                && Arrays.equals(known.bytes, 0, known.bytes.length, record, start, start + length)) {
            return known;
        }
        byte[] bytes = Arrays.copyOfRange(record, start, start + length);
        ByteSource in = new ByteSource(bytes);
        Schema schema = Schemas.read(in, format);
        if (!in.atEnd()) {
            throw new DataException("schema has " + (bytes.length - in.pos) + " bytes left over");
        }
        if (read.size() >= cacheSize) {
            read.clear();
        }
        known = new Known(format, bytes, schema, ReadPlan.of(schema));
        read.put(fingerprint, known);
        return known;
    }
}
