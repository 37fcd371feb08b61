package io.ferry.sink.state;

import io.ferry.sink.event.ChangeEvent;
import io.ferry.sink.event.ChangeEventDecoder;
import io.ferry.sink.event.TableNamer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.data.Struct;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.ferry.sink.state.BinlogEvents.key;
import static io.ferry.sink.state.BinlogEvents.record;
import static io.ferry.sink.state.BinlogEvents.update;
import static org.assertj.core.api.Assertions.assertThat;

/** The fence's decisions alone (storing and reading marks in PostgreSQL: FerrySinkTaskTest, the fault matrix). */
class RedeliveryFenceTest {

    static final TopicPartition TP = new TopicPartition(BinlogEvents.TOPIC, 0);
    final ChangeEventDecoder decoder = new ChangeEventDecoder(new TableNamer("${table}"));
    final RedeliveryFence fence = new RedeliveryFence(null, "sink", true);
    long offset;

    List<ChangeEvent> events(Struct... envelopes) {
        List<ChangeEvent> out = new ArrayList<>();
        for (Struct e : envelopes) {
            out.add(decoder.decode(record(offset++, e)));
        }
        return out;
    }

    static List<String> notes(RedeliveryFence.Result r) {
        return r.kept().stream().map(e -> e.row().getString("note")).toList();
    }

    @Test
    void aTransactionSentAgainInsideTheSameBatchIsAppliedOnce() {
        // Debezium died in the middle of the transaction at 200 and read it again from its BEGIN, renumbering it
        RedeliveryFence.Result r = fence.filter(events(update(1, "a", "b", 100, 1), update(2, "a", "c", 200, 1),
                update(3, "a", "d", 200, 2), update(2, "a", "c", 200, 1), update(3, "a", "d", 200, 2),
                update(4, "a", "e", 200, 3)));
        assertThat(notes(r)).containsExactly("b", "c", "d", "e");
        assertThat(r.skippedByTable()).containsEntry("orders", 2L);
        RedeliveryFence.Mark mark = r.positions().get(TP);
        assertThat(mark.at().pos()).isEqualTo(200);
        assertThat(mark.prints()).as("the batch ends in it: all of its events are known").hasSize(3)
                .contains(EventPrint.of(update(2, "a", "c", 200, 7), key(2)));
    }

    @Test
    void aCommittedMarkFencesTheNextBatchUntilANewTransaction() {
        RedeliveryFence.Result first = fence.filter(events(update(1, "a", "b", 300, 1), update(2, "a", "c", 300, 2)));
        fence.committed(first.positions());
        RedeliveryFence.Result second = fence.filter(events(update(1, "a", "b", 100, 1), update(2, "a", "c", 300, 1),
                update(3, "a", "d", 300, 2), update(1, "b", "z", 400, 1)));
        assertThat(notes(second)).as("an earlier transaction and a known event skipped, new ones kept")
                .containsExactly("d", "z");
        fence.committed(second.positions());
        assertThat(fence.filter(events(update(3, "a", "d", 300, 3))).kept()).isEmpty();
        // a failed batch leaves the committed mark alone: the same events are judged the same way again
        RedeliveryFence.Result failed = fence.filter(events(update(5, "a", "y", 400, 2)));
        assertThat(notes(fence.filter(events(update(5, "a", "y", 400, 2))))).containsExactly("y");
        assertThat(failed.kept()).hasSize(1);
    }

    @Test
    void aPositionIsAppliedBeforeWhenItsTransactionIsTheMarkedOneOrEarlier() {
        SourcePosition at300 = SourcePosition.of(update(1, "a", "b", 300, 1));
        assertThat(fence.appliedBefore(TP, at300)).as("nothing applied yet").isFalse();
        fence.committed(fence.filter(events(update(1, "a", "b", 300, 1), update(2, "a", "c", 300, 2))).positions());
        assertThat(fence.appliedBefore(TP, SourcePosition.of(update(9, "a", "q", 100, 4)))).isTrue();
        assertThat(fence.appliedBefore(TP, SourcePosition.of(update(9, "a", "q", 300, 9)))).as("the marked one").isTrue();
        assertThat(fence.appliedBefore(TP, SourcePosition.of(update(9, "a", "q", 301, 1)))).isFalse();
        assertThat(fence.appliedBefore(new TopicPartition("other", 0), at300)).as("another partition").isFalse();
        assertThat(new RedeliveryFence(null, "sink", false).appliedBefore(TP, at300)).as("fence off").isFalse();
    }

    @Test
    void marksRoundTripThroughTheirStoredText() {
        RedeliveryFence.Result r = fence.filter(events(update(1, "a", "b", 300, 1), update(2, "a", "c", 300, 2)));
        RedeliveryFence.Mark m = r.positions().get(TP);
        assertThat(m.printsText()).startsWith("v2 ");
        RedeliveryFence.Mark back = RedeliveryFence.Mark.parse(m.at(), m.printsText());
        assertThat(back.prints()).isEqualTo(m.prints());
        assertThat(back.legacy()).isFalse();
        assertThat(RedeliveryFence.Mark.parse(m.at(), null).legacy()).isFalse();
    }

    @Test
    void aMarkStoredBeforeTheStreamingPrintIsComparedTheOldWay() {
        // a Ferry before this format applied two events of the transaction at 500 and stopped; upgraded, it reads
        // the mark back and Debezium sends the transaction again
        SourcePosition at = SourcePosition.of(update(1, "a", "b", 500, 1));
        String stored = Long.toHexString(EventPrint.legacy(update(1, "a", "b", 500, 1), key(1))) + " "
                + Long.toHexString(EventPrint.legacy(update(2, "a", "c", 500, 2), key(2)));
        RedeliveryFence.Mark legacy = RedeliveryFence.Mark.parse(at, stored);
        assertThat(legacy.legacy()).isTrue();
        fence.committed(Map.of(TP, legacy));
        RedeliveryFence.Result r = fence.filter(events(update(1, "a", "b", 500, 1), update(2, "a", "c", 500, 2),
                update(3, "a", "d", 500, 3)));
        assertThat(notes(r)).containsExactly("d");
        RedeliveryFence.Mark next = r.positions().get(TP);
        assertThat(next.legacy()).as("the rest of that transaction is printed as its mark was").isTrue();
        assertThat(next.printsText()).doesNotStartWith("v2").contains(
                Long.toHexString(EventPrint.legacy(update(3, "a", "d", 500, 3), key(3))));
        fence.committed(r.positions());
        RedeliveryFence.Mark after = fence.filter(events(update(4, "a", "e", 600, 1))).positions().get(TP);
        assertThat(after.legacy()).as("a new transaction starts in the current format").isFalse();
        assertThat(after.prints()).containsExactly(EventPrint.of(update(4, "a", "e", 600, 1), key(4)));
    }
}
