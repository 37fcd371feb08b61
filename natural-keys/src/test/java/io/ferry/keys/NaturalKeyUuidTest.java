package io.ferry.keys;

import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Test vectors computed independently (Python's uuid.uuid5), so the documented encoding is the one implemented. */
class NaturalKeyUuidTest {

    @Test
    void namespaceAndIdsMatchAnIndependentImplementation() {
        UUID ns = NaturalKeyUuid.namespace("film_actor");
        assertThat(ns).hasToString("b98548fb-c641-5d07-a555-c5587709c2ab");
        assertThat(NaturalKeyUuid.of(ns, List.of(1, 23), Arrays.asList(Schema.INT32_SCHEMA, Schema.INT32_SCHEMA)))
                .hasToString("53125678-fcfa-5d80-8a3f-c758da0f5b87");
        assertThat(NaturalKeyUuid.of(NaturalKeyUuid.namespace("film"), List.of(23L), List.of(Schema.INT64_SCHEMA)))
                .hasToString("b8fbc15f-dbda-52aa-a611-bd6867453728");
    }

    @Test
    void nullsUnicodeAndDecimalsFollowTheDocumentedEncoding() {
        assertThat(NaturalKeyUuid.of(NaturalKeyUuid.namespace("film_actor"), Arrays.asList(null, 23),
                Arrays.asList(Schema.OPTIONAL_INT32_SCHEMA, Schema.INT32_SCHEMA)))
                .hasToString("e16496ac-5bf2-5d02-aa6c-1a6adf94237c");
        // "Zoë" is 4 UTF-8 bytes; 1.50 is written without its trailing zero
        assertThat(NaturalKeyUuid.of(NaturalKeyUuid.namespace("t"), List.of("Zoë", new BigDecimal("1.50")),
                List.of(Schema.STRING_SCHEMA, Decimal.schema(2))))
                .hasToString("f274803d-b5ae-56de-989e-3d527f390be7");
    }

    @Test
    void integerWidthDoesNotChangeTheId() {
        UUID ns = NaturalKeyUuid.namespace("x");
        assertThat(NaturalKeyUuid.of(ns, List.of((short) 7), List.of(Schema.INT16_SCHEMA)))
                .isEqualTo(NaturalKeyUuid.of(ns, List.of(7L), List.of(Schema.INT64_SCHEMA)));
    }
}
