package io.ferry.sink.events;

/** Where the sink's components report what an operator must hear about. */
@FunctionalInterface
public interface Events {

    /** Never blocks and never throws: the data path must not wait on a webhook. */
    void emit(FerryEvent event);

    Events NONE = e -> { };
}
