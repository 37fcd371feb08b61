package io.ferry.faults;

import com.sun.net.httpserver.HttpServer;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/** An HTTP endpoint that keeps every event POSTed to it, with its arrival time: the operator's pager in the tests. */
public final class WebhookReceiver implements AutoCloseable {

    public record Received(long atMillis, String body) {}

    private final HttpServer server;
    private final List<Received> received = new CopyOnWriteArrayList<>();

    public WebhookReceiver() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/ferry-events", exchange -> {
            received.add(new Received(System.currentTimeMillis(),
                    new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/ferry-events";
    }

    /** The first event since a time that matches, waiting up to the timeout; null if none came. */
    public Received await(long sinceMillis, Predicate<String> matches, long timeoutMillis) throws InterruptedException {
        long end = System.currentTimeMillis() + timeoutMillis;
        do {
            for (Received r : received) {
                if (r.atMillis() >= sinceMillis && matches.test(r.body())) {
                    return r;
                }
            }
            Thread.sleep(100);
        } while (System.currentTimeMillis() < end);
        return null;
    }

    public List<Received> all() {
        return new ArrayList<>(received);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
