package io.ferry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A small client for Kafka Connect's REST API. */
public final class ConnectClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    public ConnectClient(URI base) {
        this.base = base;
    }

    public URI base() { return base; }

    /** Creates or updates a connector. */
    public JsonNode put(String name, Map<String, String> config) throws IOException {
        return call("PUT", "/connectors/" + name + "/config", JSON.writeValueAsString(config), 200, 201);
    }

    public void delete(String name) throws IOException {
        call("DELETE", "/connectors/" + name, null, 204, 404);
    }

    /** A deployed connector's configuration as the cluster stores it (secrets still as their ${...} references). */
    public java.util.Map<String, String> config(String name) throws IOException {
        java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
        call("GET", "/connectors/" + name + "/config", null, 200).fields()
                .forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    public JsonNode status(String name) throws IOException {
        return call("GET", "/connectors/" + name + "/status", null, 200);
    }

    public List<String> connectors() throws IOException {
        List<String> out = new ArrayList<>();
        call("GET", "/connectors", null, 200).forEach(n -> out.add(n.asText()));
        return out;
    }

    public JsonNode plugins() throws IOException {
        return call("GET", "/connector-plugins?connectorsOnly=false", null, 200);
    }

    public void pause(String name) throws IOException {
        call("PUT", "/connectors/" + name + "/pause", null, 202);
    }

    public void resume(String name) throws IOException {
        call("PUT", "/connectors/" + name + "/resume", null, 202);
    }

    /** Restarts the connector and those of its tasks that FAILED (Connect's restart API, KIP-745). */
    public void restartTask(String name, int task) throws IOException {
        call("POST", "/connectors/" + name + "/tasks/" + task + "/restart", null, 200, 202, 204);
    }

    public void restartFailed(String name) throws IOException {
        call("POST", "/connectors/" + name + "/restart?includeTasks=true&onlyFailed=true", null, 200, 202, 204);
    }

    /** A GET of any REST path, as raw text (for checks of what the API shows). */
    public String get(String path) throws IOException {
        return send("GET", path, null).raw();
    }

    /** PUT /connector-plugins/{class}/config/validate; returns the raw response with its status. */
    public Response validate(String connectorClass, Map<String, String> config) throws IOException {
        String simple = connectorClass.substring(connectorClass.lastIndexOf('.') + 1);
        return send("PUT", "/connector-plugins/" + simple + "/config/validate", JSON.writeValueAsString(config));
    }

    /** The validation errors of a validate response, as "name: message" lines. */
    public static List<String> validationErrors(JsonNode validation) {
        List<String> errors = new ArrayList<>();
        for (JsonNode c : validation.path("configs")) {
            for (JsonNode e : c.path("value").path("errors")) {
                errors.add(c.path("value").path("name").asText() + ": " + e.asText());
            }
        }
        return errors;
    }

    public record Response(int status, JsonNode body, String raw) {}

    private JsonNode call(String method, String path, String body, int... ok) throws IOException {
        Response r = send(method, path, body);
        for (int code : ok) {
            if (r.status == code) {
                return r.body;
            }
        }
        throw new IOException(method + " " + base.resolve(path) + " answered HTTP " + r.status + ": " + r.raw);
    }

    private Response send(String method, String path, String body) throws IOException {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(120))
                .header("Accept", "application/json");
        if (body != null) {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode json = r.body() == null || r.body().isBlank() ? JSON.createObjectNode() : parse(r.body());
            return new Response(r.statusCode(), json, r.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while calling " + base.resolve(path), e);
        }
    }

    private static JsonNode parse(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            ObjectNode n = JSON.createObjectNode();
            n.put("message", body);
            return n;
        }
    }
}
