package io.ferry.sink.batch;

import io.ferry.sink.Envelopes;
import io.ferry.sink.event.ChangeEvent;
import io.ferry.sink.event.ChangeEventDecoder;
import io.ferry.sink.event.Op;
import io.ferry.sink.event.TableNamer;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class BatchPlannerTest {

    static final Schema KEY = SchemaBuilder.struct().field("id", Schema.INT32_SCHEMA).build();
    static final Schema ROW = SchemaBuilder.struct().optional().field("id", Schema.INT32_SCHEMA)
            .field("name", Schema.OPTIONAL_STRING_SCHEMA).build();

    private final ChangeEventDecoder decoder = new ChangeEventDecoder(new TableNamer("${table}"));
    private long offset;

    private ChangeEvent event(String table, String op, int id, String name) {
        return event(table, op, id, name, op.equals("r") ? "true" : null);
    }

    private ChangeEvent event(String table, String op, int id, String name, String snapshot) {
        Struct key = new Struct(KEY).put("id", id);
        Struct row = new Struct(ROW).put("id", id).put("name", name);
        boolean delete = op.equals("d");
        return decoder.decode(Envelopes.record("srv.db." + table, offset++, key, ROW, op,
                delete ? row : null, delete ? null : row, snapshot));
    }

    @Test
    void aReloadsRowsAreChangesInTheLiveStreamNotACopySegment() {
        // an incremental snapshot's rows between live changes: one segment, reduced per key in order, upserted
        List<ChangeEvent> events = List.of(event("t", "r", 1, "reloaded", "incremental"), event("t", "u", 1, "live"),
                event("t", "r", 2, "reloaded", "incremental"), event("t", "d", 3, null));
        List<Segment> segments = new BatchPlanner().plan(events).get(0).segments();
        assertThat(segments).hasSize(1);
        assertThat(segments.get(0).kind()).isEqualTo(Segment.Kind.CHANGES);
        List<ChangeEvent> reduced = new ArrayList<>(segments.get(0).reduced());
        assertThat(reduced).hasSize(3);
        assertThat(reduced.stream().filter(e -> e.key().get("id").equals(1)).findFirst().orElseThrow().row()
                .getString("name")).as("the live change after the reloaded row wins").isEqualTo("live");
        // the initial snapshot's rows still go to COPY
        assertThat(new BatchPlanner().plan(List.of(event("t", "r", 9, "x"))).get(0).segments().get(0).kind())
                .isEqualTo(Segment.Kind.SNAPSHOT);
    }

    @Test
    void tablesKeepTheOrderOfFirstAppearance() {
        List<ChangeEvent> events = List.of(event("zeta", "c", 1, "a"), event("alpha", "c", 1, "b"),
                event("zeta", "u", 2, "c"), event("mid", "c", 1, "d"));
        assertThat(new BatchPlanner().plan(events)).extracting(TableBatch::table).containsExactly("zeta", "alpha", "mid");
    }

    @Test
    void changesReduceToTheLastEventPerKey() {
        List<ChangeEvent> events = List.of(event("t", "c", 1, "first"), event("t", "u", 1, "second"),
                event("t", "c", 2, "other"), event("t", "d", 2, null), event("t", "u", 1, "third"));
        Segment segment = new BatchPlanner().plan(events).get(0).segments().get(0);
        List<ChangeEvent> reduced = new ArrayList<>(segment.reduced());
        assertThat(reduced).hasSize(2);
        assertThat(reduced).extracting(e -> e.key().get("id")).containsExactlyInAnyOrder(1, 2);
        ChangeEvent one = reduced.stream().filter(e -> e.key().get("id").equals(1)).findFirst().orElseThrow();
        assertThat(one.row().getString("name")).isEqualTo("third");
        ChangeEvent two = reduced.stream().filter(e -> e.key().get("id").equals(2)).findFirst().orElseThrow();
        assertThat(two.op()).isEqualTo(Op.DELETE);
        assertThat(segment.all()).hasSize(5);
    }

    @Test
    void deleteThenReinsertOfSameKeyBecomesTheInsert() {
        List<ChangeEvent> events = List.of(event("t", "d", 7, "old"), event("t", "c", 7, "new"));
        List<ChangeEvent> reduced = new ArrayList<>(new BatchPlanner().plan(events).get(0).segments().get(0).reduced());
        assertThat(reduced).singleElement().satisfies(e -> {
            assertThat(e.op()).isEqualTo(Op.INSERT);
            assertThat(e.row().getString("name")).isEqualTo("new");
        });
    }

    @Test
    void snapshotRowsAreNotReducedAndChangesStartANewSegment() {
        List<ChangeEvent> events = List.of(event("t", "r", 1, "a"), event("t", "r", 2, "b"),
                event("t", "u", 1, "c"), event("t", "u", 1, "d"));
        TableBatch batch = new BatchPlanner().plan(events).get(0);
        assertThat(batch.segments()).extracting(Segment::kind).containsExactly(Segment.Kind.SNAPSHOT, Segment.Kind.CHANGES);
        assertThat(batch.segments().get(0).reduced()).hasSize(2);
        assertThat(batch.segments().get(1).reduced()).hasSize(1);
    }
}
