package io.ferry.sink.state;

import org.apache.kafka.connect.data.Struct;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;

import static io.ferry.sink.state.BinlogEvents.key;
import static io.ferry.sink.state.BinlogEvents.update;
import static org.assertj.core.api.Assertions.assertThat;

class EventPrintTest {

    @Test
    void theSameEventSentAgainHasTheSamePrint() {
        // a re-delivered event is decoded into new objects: equal content, nothing shared
        assertThat(EventPrint.of(update(1, "a", "b", 100, 1), key(1)))
                .isEqualTo(EventPrint.of(update(1, "a", "b", 100, 1), key(1)));
        // Debezium renumbers the transaction's events after a restart: the order is not part of what the event does
        assertThat(EventPrint.of(update(1, "a", "b", 100, 1), key(1)))
                .isEqualTo(EventPrint.of(update(1, "a", "b", 100, 9), key(1)));
        Struct bytes = update(1, "a", "b", 100, 1);
        Struct buffer = update(1, "a", "b", 100, 1);
        buffer.getStruct("after").put("blob", ByteBuffer.wrap(new byte[] {1, 2, 1}));
        assertThat(EventPrint.of(buffer, key(1))).as("bytes by content, array or buffer").isEqualTo(EventPrint.of(bytes, key(1)));
    }

    @Test
    void theStoredFormatDoesNotChangeUnnoticed() {
        // prints are stored in sink_offsets and compared after an upgrade: a new encoding needs a new format tag
        // (RedeliveryFence.Mark.FORMAT) and keeps reading the old one, as legacy() does for the first format
        assertThat(Long.toHexString(EventPrint.of(update(1, "a", "b", 100, 1), key(1)))).isEqualTo("273fe476126d397d");
        // what the first format's code (the commit before the streaming print) computed for this event
        assertThat(Long.toHexString(EventPrint.legacy(update(1, "a", "b", 100, 1), key(1)))).isEqualTo("563c343775a790bf");
    }

    @Test
    void whatTheEventDoesIsInThePrint() {
        long print = EventPrint.of(update(1, "a", "b", 100, 1), key(1));
        assertThat(EventPrint.of(update(1, "a", "c", 100, 1), key(1))).isNotEqualTo(print);
        assertThat(EventPrint.of(update(1, "b", "a", 100, 1), key(1))).as("before and after swapped").isNotEqualTo(print);
        assertThat(EventPrint.of(update(1, "a", "b", 100, 1), key(2))).isNotEqualTo(print);
        Struct deleted = update(1, "a", "b", 100, 1).put("op", "d");
        assertThat(EventPrint.of(deleted, key(1))).isNotEqualTo(print);
        Struct nextRow = update(1, "a", "b", 100, 1);
        nextRow.getStruct("source").put("row", 1);
        assertThat(EventPrint.of(nextRow, key(1))).as("the row's index in its rows event").isNotEqualTo(print);
        Struct nullNote = update(1, "a", null, 100, 1);
        Struct emptyNote = update(1, "a", "", 100, 1);
        assertThat(EventPrint.of(nullNote, key(1))).isNotEqualTo(EventPrint.of(emptyNote, key(1)));
        Struct shifted = update(1, "a", "b", 100, 1);
        shifted.getStruct("after").put("note", "bc").put("blob", new byte[] {2, 1});
        Struct unshifted = update(1, "a", "b", 100, 1);
        unshifted.getStruct("after").put("note", "b").put("blob", new byte[] {99, 2, 1});
        assertThat(EventPrint.of(shifted, key(1))).as("lengths are in the print").isNotEqualTo(EventPrint.of(unshifted, key(1)));
    }

    @Test
    void aLargeTransactionOfNearlyEqualEventsHasNoTwoEqualPrints() {
        // the fence keeps up to MAX_PRINTS per transaction; these differ in one character or one number
        Set<Long> prints = new HashSet<>();
        for (int i = 0; i < 200_000; i++) {
            prints.add(EventPrint.of(update(i % 1000, "payload " + i, "payload " + (i + 1), 100, i), key(i % 1000)));
        }
        assertThat(prints).hasSize(200_000);
    }
}
