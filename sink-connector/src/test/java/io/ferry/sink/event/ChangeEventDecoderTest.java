package io.ferry.sink.event;

import io.ferry.sink.Envelopes;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ChangeEventDecoderTest {

    static final Schema KEY = SchemaBuilder.struct().field("id", Schema.INT32_SCHEMA).build();
    static final Schema ROW = SchemaBuilder.struct().optional().field("id", Schema.INT32_SCHEMA)
            .field("name", Schema.OPTIONAL_STRING_SCHEMA).build();
    final ChangeEventDecoder decoder = new ChangeEventDecoder(new TableNamer("${table}"));
    final Struct key = new Struct(KEY).put("id", 1);
    final Struct row = new Struct(ROW).put("id", 1).put("name", "x");

    @Test
    void envelopeOpsAndSnapshotMarker() {
        ChangeEvent r = decoder.decode(Envelopes.record("srv.sakila.actor", 0, key, ROW, "r", null, row, "last_in_data_collection"));
        assertThat(r.op()).isEqualTo(Op.SNAPSHOT);
        assertThat(r.table()).isEqualTo("actor");
        assertThat(r.endsTableSnapshot()).isTrue();
        ChangeEvent d = decoder.decode(Envelopes.record("srv.sakila.actor", 1, key, ROW, "d", row, null, null));
        assertThat(d.op()).isEqualTo(Op.DELETE);
        assertThat(d.row()).isSameAs(row);
        assertThat(d.sourceTsMs()).isEqualTo(1_700_000_000_001L);
    }

    @Test
    void flatRecordIsAnUpsertAndTombstoneADelete() {
        ChangeEvent flat = decoder.decode(new SinkRecord("srv.sakila.actor", 0, KEY, key, ROW, row, 5));
        assertThat(flat.op()).isEqualTo(Op.INSERT);
        assertThat(flat.table()).isEqualTo("actor");
        ChangeEvent tomb = decoder.decode(new SinkRecord("srv.sakila.actor", 0, KEY, key, null, null, 6));
        assertThat(tomb.op()).isEqualTo(Op.DELETE);
        assertThat(tomb.row()).isNull();
    }

    @Test
    void tableNameFormatUsesDbAndTopic() {
        ChangeEventDecoder d = new ChangeEventDecoder(new TableNamer("${db}_${table}"));
        assertThat(d.decode(Envelopes.record("srv.sakila.actor", 0, key, ROW, "c", null, row, null)).table())
                .isEqualTo("sakila_actor");
        assertThat(new TableNamer("${topic}").tableFor("a.b.c", null, null)).isEqualTo("a.b.c");
    }

    @Test
    void schemalessAndKeylessTombstonesAreBadRecords() {
        assertThatThrownBy(() -> decoder.decode(new SinkRecord("t", 0, null, null, null, Map.of("id", 1), 0)))
                .isInstanceOf(BadRecordException.class).hasMessageContaining("schema");
        assertThatThrownBy(() -> decoder.decode(new SinkRecord("t", 0, null, null, null, null, 0)))
                .isInstanceOf(BadRecordException.class).hasMessageContaining("tombstone");
        assertThatThrownBy(() -> decoder.decode(Envelopes.record("srv.db.t", 0, key, ROW, "t", null, null, null)))
                .isInstanceOf(BadRecordException.class).hasMessageContaining("op 't'");
    }
}
