package io.ferry.sink.keys;

import io.ferry.sink.config.RegistryKeyDeclaration;
import io.ferry.sink.event.ChangeEvent;
import io.ferry.sink.event.Op;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class RegistryKeyResolverTest {

    static final Schema KEY = SchemaBuilder.struct().name("blog.post.Key")
            .field("region", Schema.STRING_SCHEMA).field("post_no", Schema.OPTIONAL_INT32_SCHEMA).build();
    static final Schema ROW = SchemaBuilder.struct().name("blog.post.Value").optional()
            .field("region", Schema.STRING_SCHEMA).field("post_no", Schema.OPTIONAL_INT32_SCHEMA)
            .field("author", Schema.OPTIONAL_STRING_SCHEMA).build();
    static final Schema ENVELOPE = SchemaBuilder.struct().field("before", ROW).field("after", ROW)
            .field("op", Schema.STRING_SCHEMA).build();

    /** An in-memory registry: ids in order of first sight, per table, like the identity column. */
    static final class MemoryRegistry implements IdAllocator {
        final Map<String, Long> ids = new HashMap<>();
        int calls;

        @Override
        public Map<String, Long> ids(Connection conn, String table, Set<String> naturalKeys) {
            calls++;
            Map<String, Long> out = new HashMap<>();
            for (String k : naturalKeys) {
                out.put(k, ids.computeIfAbsent(table + "/" + k, x -> (long) ids.size() + 1));
            }
            return out;
        }
    }

    final MemoryRegistry registry = new MemoryRegistry();
    final List<Throwable> bad = new ArrayList<>();
    final RegistryKeyResolver resolver = new RegistryKeyResolver(List.of(
            RegistryKeyDeclaration.parse("k", "post.id=post(region+post_no)"),
            RegistryKeyDeclaration.parse("k", "author_post.post_id=post(region+post_no)")), registry);

    static Struct row(String region, Integer postNo, String author) {
        return new Struct(ROW).put("region", region).put("post_no", postNo).put("author", author);
    }

    static ChangeEvent event(String table, Op op, Struct before, Struct after) {
        Struct image = after != null ? after : before;
        Schema envelope = image.schema() == ROW ? ENVELOPE : SchemaBuilder.struct().field("before", image.schema())
                .field("after", image.schema()).field("op", Schema.STRING_SCHEMA).build();
        Struct env = new Struct(envelope).put("before", before).put("after", after).put("op", "u");
        Struct key = new Struct(KEY).put("region", image.get("region")).put("post_no", image.get("post_no"));
        SinkRecord r = new SinkRecord("t." + table, 0, KEY, key, envelope, env, 7);
        return new ChangeEvent(r, op, table, key, op == Op.DELETE ? before : after, null, 1L);
    }

    List<ChangeEvent> resolve(ChangeEvent... events) throws Exception {
        return resolver.resolve(null, List.of(events), (record, table, error) -> bad.add(error));
    }

    @Test
    void keyReplacesTheRecordKeyAndJoinsTheRow() throws Exception {
        List<ChangeEvent> out = resolve(event("post", Op.SNAPSHOT, null, row("eu", 1, "a")),
                event("post", Op.SNAPSHOT, null, row("eu", 2, "b")));
        assertThat(out).hasSize(2);
        assertThat(out.get(0).key().schema().fields()).extracting(f -> f.name()).containsExactly("id");
        assertThat(out.get(0).key().getInt64("id")).isEqualTo(out.get(0).row().getInt64("id"));
        assertThat(out.get(0).row().getString("author")).isEqualTo("a");
        assertThat(out.get(1).row().getInt64("id")).isNotEqualTo(out.get(0).row().getInt64("id"));
        assertThat(registry.calls).as("one registry round trip per owner table per batch").isEqualTo(1);
    }

    @Test
    void aReferenceGetsTheSameIdAsItsParentWhicheverComesFirst() throws Exception {
        ChangeEvent child = resolve(event("author_post", Op.INSERT, null, row("us", 9, "x"))).get(0);
        ChangeEvent parent = resolve(event("post", Op.INSERT, null, row("us", 9, "y"))).get(0);
        assertThat(child.row().getInt64("post_id")).isEqualTo(parent.row().getInt64("id"));
        assertThat(child.key().schema().field("region")).as("a table without a key declaration keeps its key").isNotNull();
        ChangeEvent orphan = resolve(event("author_post", Op.INSERT, null, row("us", null, "x"))).get(0);
        assertThat(orphan.row().get("post_id")).as("NULL when a referencing column is NULL").isNull();
    }

    @Test
    void deletesAndTombstonesFindTheirIdFromTheKey() throws Exception {
        long id = resolve(event("post", Op.INSERT, null, row("eu", 5, "a"))).get(0).row().getInt64("id");
        ChangeEvent delete = resolve(event("post", Op.DELETE, row("eu", 5, "a"), null)).get(0);
        assertThat(delete.key().getInt64("id")).isEqualTo(id);
        Struct key = new Struct(KEY).put("region", "eu").put("post_no", 5);
        ChangeEvent tombstone = new ChangeEvent(new SinkRecord("t.post", 0, KEY, key, null, null, 8), Op.DELETE, "post",
                key, null, null, null);
        assertThat(resolve(tombstone).get(0).key().getInt64("id")).isEqualTo(id);
    }

    @Test
    void anUpdateOfTheNaturalKeyMovesTheRowToTheNewId() throws Exception {
        long oldId = resolve(event("post", Op.INSERT, null, row("eu", 5, "a"))).get(0).row().getInt64("id");
        List<ChangeEvent> out = resolve(event("post", Op.UPDATE, row("eu", 5, "a"), row("eu", 6, "a")));
        assertThat(out).extracting(ChangeEvent::op).containsExactly(Op.DELETE, Op.INSERT);
        assertThat(out.get(0).key().getInt64("id")).isEqualTo(oldId);
        assertThat(out.get(1).key().getInt64("id")).isNotEqualTo(oldId);
        List<ChangeEvent> same = resolve(event("post", Op.UPDATE, row("eu", 6, "a"), row("eu", 6, "b")));
        assertThat(same).extracting(ChangeEvent::op).containsExactly(Op.UPDATE);
    }

    @Test
    void aNullNaturalKeyIsABadRecordNotAFailedBatch() throws Exception {
        List<ChangeEvent> out = resolve(event("post", Op.INSERT, null, row("eu", null, "a")),
                event("post", Op.INSERT, null, row("eu", 1, "a")));
        assertThat(out).hasSize(1);
        assertThat(bad).singleElement().satisfies(e -> assertThat(e.getMessage())
                .contains("post_no").contains("NULL").contains("post.id"));
    }

    @Test
    void rowsOfSchemasInterleavedEachKeepTheirOwnColumns() throws Exception {
        // a column added at the source while rows of the old schema are still read (a re-delivered batch)
        Schema wider = SchemaBuilder.struct().name("blog.post.Value").optional()
                .field("region", Schema.STRING_SCHEMA).field("post_no", Schema.OPTIONAL_INT32_SCHEMA)
                .field("author", Schema.OPTIONAL_STRING_SCHEMA).field("title", Schema.OPTIONAL_STRING_SCHEMA).build();
        Struct widerRow = new Struct(wider).put("region", "eu").put("post_no", 2).put("author", "b").put("title", "T");
        List<ChangeEvent> out = resolve(event("post", Op.INSERT, null, row("eu", 1, "a")),
                event("post", Op.INSERT, null, widerRow), event("post", Op.INSERT, null, row("eu", 3, "c")));
        assertThat(out).extracting(e -> e.row().schema().fields().stream().map(f -> f.name()).toList()).containsExactly(
                List.of("region", "post_no", "author", "id"), List.of("region", "post_no", "author", "title", "id"),
                List.of("region", "post_no", "author", "id"));
        assertThat(out.get(1).row().getString("title")).isEqualTo("T");
        assertThat(out.get(1).row().getInt64("id")).isEqualTo(out.get(1).key().getInt64("id"));
        assertThat(out.get(2).row().getString("author")).isEqualTo("c");
        assertThat(out.get(0).row().schema()).isSameAs(out.get(2).row().schema());
    }

    @Test
    void everyRowThatAlreadyHasTheIdColumnIsABadRecord() throws Exception {
        Schema clash = SchemaBuilder.struct().optional().field("region", Schema.STRING_SCHEMA)
                .field("post_no", Schema.OPTIONAL_INT32_SCHEMA).field("id", Schema.OPTIONAL_INT64_SCHEMA).build();
        List<ChangeEvent> out = resolve(
                event("post", Op.INSERT, null, new Struct(clash).put("region", "eu").put("post_no", 1).put("id", 7L)),
                event("post", Op.INSERT, null, new Struct(clash).put("region", "eu").put("post_no", 2).put("id", 8L)));
        assertThat(out).isEmpty();
        assertThat(bad).hasSize(2).allSatisfy(e -> assertThat(e.getMessage()).contains("post.id"));
    }

    @Test
    void encodingMatchesTheDocumentedCanonicalText() {
        assertThat(io.ferry.keys.NaturalKeyUuid.name(List.of("eu", 5, new java.math.BigDecimal("1.50")), null)).isEqualTo("2:eu1:53:1.5");
        assertThat(io.ferry.keys.NaturalKeyUuid.name(java.util.Arrays.asList("é", null), null)).isEqualTo("2:é~");
    }
}
