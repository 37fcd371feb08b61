package io.ferry.sink.schema;

import org.junit.jupiter.api.Test;

import static io.ferry.sink.schema.TypeWidening.Verdict.SAME;
import static io.ferry.sink.schema.TypeWidening.Verdict.UNSAFE;
import static io.ferry.sink.schema.TypeWidening.Verdict.WIDEN;
import static io.ferry.sink.schema.TypeWidening.compare;
import static org.assertj.core.api.Assertions.assertThat;

class TypeWideningTest {

    @Test
    void wideningsThatKeepEveryStoredValue() {
        assertThat(compare("integer", "bigint")).isEqualTo(WIDEN);
        assertThat(compare("smallint", "integer")).isEqualTo(WIDEN);
        assertThat(compare("bigint", "numeric(20,0)")).isEqualTo(WIDEN);
        assertThat(compare("character varying(20)", "varchar(200)")).isEqualTo(WIDEN);
        assertThat(compare("character varying(20)", "text")).isEqualTo(WIDEN);
        assertThat(compare("numeric(10,2)", "numeric(12,4)")).isEqualTo(WIDEN);
    }

    @Test
    void narrowerSourceTypesStillFitAndOtherTypesAreNotJudged() {
        assertThat(compare("bigint", "integer")).isEqualTo(SAME);
        assertThat(compare("character varying(200)", "varchar(20)")).isEqualTo(SAME);
        assertThat(compare("text", "varchar(20)")).isEqualTo(SAME);
        assertThat(compare("timestamp(6) without time zone", "timestamp(6)")).isEqualTo(SAME);
        assertThat(compare("boolean", "boolean")).isEqualTo(SAME);
    }

    @Test
    void changesThatCouldAlterValuesAreLeftToTheUser() {
        assertThat(compare("integer", "varchar(10)")).isEqualTo(UNSAFE);
        assertThat(compare("numeric(10,2)", "numeric(10,4)")).isEqualTo(UNSAFE);
        assertThat(compare("bigint", "numeric(10,0)")).isEqualTo(UNSAFE);
        assertThat(compare("character varying(20)", "integer")).isEqualTo(UNSAFE);
    }
}
