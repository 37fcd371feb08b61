package io.ferry.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The Prometheus JMX exporter agent, as a worker runs it, attached to this JVM (the bench runs Connect in-process),
 * with the shipped configuration, and scraped every second (a busier Prometheus than the usual 15 s) while a load
 * is measured. Attached once: the JVM keeps the agent, idle between scrapes, for the rest of the bench.
 */
final class ExporterAgent {

    private static ExporterAgent attached;

    private final int port;
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<Double> scrapeMs = Collections.synchronizedList(new ArrayList<>());
    private volatile long lastSeries;
    private volatile boolean scraping;
    private Thread scraper;

    private ExporterAgent(int port) {
        this.port = port;
    }

    /** The agent (attaching it on first use), or null with the reason printed when it cannot be had. */
    static synchronized ExporterAgent attach(Path home) throws Exception {
        if (attached != null) {
            return attached;
        }
        Path jar = home.resolve("ferry-cli/target/agents/jmx_prometheus_javaagent.jar");
        Path config = home.resolve("monitoring/jmx-exporter/kafka-connect.yml");
        if (!Files.exists(jar) || !Files.exists(config)) {
            System.out.println("  the exporter agent is not built here (" + jar + "): mvn package builds it");
            return null;
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        var vm = com.sun.tools.attach.VirtualMachine.attach(Long.toString(ProcessHandle.current().pid()));
        try {
            vm.loadAgent(jar.toString(), "127.0.0.1:" + port + ":" + config);
        } finally {
            vm.detach();
        }
        attached = new ExporterAgent(port);
        return attached;
    }

    /** Scrapes every second until {@link #stopScraping}; the summary covers every scrape since the first start. */
    void startScraping() {
        scraping = true;
        scraper = new Thread(() -> {
            while (scraping) {
                long t0 = System.nanoTime();
                try {
                    String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                            HttpResponse.BodyHandlers.ofString()).body();
                    scrapeMs.add((System.nanoTime() - t0) / 1e6);
                    lastSeries = body.lines().filter(l -> !l.startsWith("#") && !l.isBlank()).count();
                } catch (IOException e) {
                    // a failed scrape is not a measurement
                } catch (InterruptedException e) {
                    return;
                }
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "bench-prometheus-scrape");
        scraper.setDaemon(true);
        scraper.start();
    }

    /** Scrapes made, their median and maximum time, series in the last one. */
    String summary() {
        List<Double> ms = new ArrayList<>(scrapeMs);
        Collections.sort(ms);
        return ms.isEmpty() ? "no scrape completed" : String.format("%d scrapes of %d series, %.1f ms median, %.1f ms max",
                ms.size(), lastSeries, ms.get(ms.size() / 2), ms.get(ms.size() - 1));
    }

    void stopScraping() throws InterruptedException {
        scraping = false;
        if (scraper != null) {
            scraper.interrupt();
            scraper.join(5000);
            scraper = null;
        }
    }
}
