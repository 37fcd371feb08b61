package io.ferry.sink.flow;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class GtidOrderTest {

    @Test
    void mariaDbGtidsOrderWithinTheirDomainAndServer() {
        GtidOrder o = new GtidOrder();
        o.applied("0-1-10845");
        assertThat(o.notAfterApplied("0-1-10714")).isTrue();
        assertThat(o.notAfterApplied("0-1-10845")).isTrue();
        assertThat(o.notAfterApplied("0-1-10846")).isFalse();
        assertThat(o.notAfterApplied("0-2-5")).as("another server").isFalse();
        assertThat(o.notAfterApplied("1-1-5")).as("another domain").isFalse();
    }

    @Test
    void mySqlGtidsOrderWithinTheirServerUuid() {
        GtidOrder o = new GtidOrder();
        o.applied("3e11fa47-71ca-11e1-9e33-c80aa9429562:23");
        assertThat(o.notAfterApplied("3e11fa47-71ca-11e1-9e33-c80aa9429562:22")).isTrue();
        assertThat(o.notAfterApplied("3e11fa47-71ca-11e1-9e33-c80aa9429562:24")).isFalse();
        assertThat(o.notAfterApplied("4e11fa47-71ca-11e1-9e33-c80aa9429562:1")).isFalse();
    }

    @Test
    void twoIdsCompareOnlyFromTheSameSource() {
        assertThat(GtidOrder.earlier("0-1-10779", "0-1-10845")).isTrue();
        assertThat(GtidOrder.earlier("0-1-10845", "0-1-10779")).isFalse();
        assertThat(GtidOrder.earlier("0-1-10845", "0-1-10845")).isFalse();
        assertThat(GtidOrder.earlier("0-2-1", "0-1-10845")).isFalse();
        assertThat(GtidOrder.earlier("abc", "0-1-10845")).isFalse();
    }

    @Test
    void idsThatAreNotGtidsAreNeverOrdered() {
        GtidOrder o = new GtidOrder();
        o.applied("abc");
        o.applied(null);
        assertThat(o.notAfterApplied("abc")).isFalse();
        assertThat(o.notAfterApplied("x-y-3")).isFalse();
        assertThat(o.notAfterApplied(null)).isFalse();
    }
}
