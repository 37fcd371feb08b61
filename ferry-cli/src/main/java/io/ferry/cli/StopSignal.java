package io.ferry.cli;

import sun.misc.Signal;

import java.util.concurrent.CountDownLatch;

/**
 * Ctrl-C and SIGTERM as a request to stop, not as JVM shutdown. Shutdown hooks run concurrently (Connect's, Jetty's,
 * log4j's), so a worker stopped from one of them races the broker stopped from another and can wait forever on a
 * broker that is gone. Taking the signal ourselves lets the command stop worker, then broker, in order, on a live JVM.
 */
final class StopSignal {

    private StopSignal() {
    }

    /** A latch that opens on the first SIGINT or SIGTERM; the second one ends the JVM as usual. */
    static CountDownLatch install() {
        CountDownLatch stop = new CountDownLatch(1);
        for (String name : new String[] {"INT", "TERM"}) {
            Signal signal = new Signal(name);
            Signal.handle(signal, s -> {
                if (stop.getCount() == 0) {
                    System.exit(128 + s.getNumber());
                }
                stop.countDown();
            });
        }
        return stop;
    }
}
