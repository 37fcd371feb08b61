package io.ferry.sink.events;

/** Where events go besides the log: a webhook, a Kafka topic. A delivery that throws is retried by the publisher. */
public interface EventChannel extends AutoCloseable {

    String name();

    void deliver(FerryEvent event) throws Exception;

    @Override
    default void close() {}
}
