package io.ferry.sink.events;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** POSTs each event as JSON (the generic body, or Slack's {@code {"text": ...}}); anything but 2xx is a failure. */
public final class WebhookChannel implements EventChannel {

    public enum Format { JSON, SLACK }

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final URI url;
    private final Format format;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    public WebhookChannel(URI url, Format format) {
        this.url = url;
        this.format = format;
    }

    @Override
    public String name() {
        // the URL often carries a token (Slack's do): only the host is ever printed
        return "webhook " + url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort());
    }

    @Override
    public void deliver(FerryEvent event) throws IOException, InterruptedException {
        String body = format == Format.SLACK ? event.toSlackJson() : event.toJson();
        HttpRequest request = HttpRequest.newBuilder(url).timeout(TIMEOUT).header("Content-Type", "application/json")
                .header("User-Agent", "ferry-sink").POST(HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() / 100 != 2) {
            throw new IOException("HTTP " + response.statusCode());
        }
    }
}
