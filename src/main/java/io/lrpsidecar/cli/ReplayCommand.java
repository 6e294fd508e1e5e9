package io.lrpsidecar.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code lrp replay}: asks a running sidecar ({@code POST /replays}) to replay selected predictions, by default the
 * flagged ones, optionally with another composite, then follows its progress until every selected event is explained
 * or failed. Prints the final progress as one JSON line (with the replayed explanations' addresses and the failures
 * by reason). The sidecar checks the request before it replays anything: a misspelled flag or a composite it cannot
 * use ends in one line naming the reason and exit 1, as do failures of the replay (one line: each reason, its count
 * and first message).
 */
@Command(name = "replay", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Replay flagged (or any) predictions through a running sidecar, into explanations-replay.")
public class ReplayCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Option(names = "--url", paramLabel = "URL", defaultValue = "http://localhost:8080",
            description = "The sidecar's HTTP address. Default: ${DEFAULT-VALUE}.")
    String url;

    @Option(names = "--api-key", paramLabel = "KEY", defaultValue = "${env:LRP_API_KEY}",
            description = "The API key (default: environment LRP_API_KEY; not needed in demo mode).")
    String apiKey;

    @Option(names = "--api-key-header", paramLabel = "NAME", defaultValue = "X-API-Key",
            description = "The header carrying the key. Default: ${DEFAULT-VALUE}.")
    String apiKeyHeader;

    @Option(names = "--topic", paramLabel = "TOPIC", description = "Where to select from (default: the flagged "
            + "predictions topic).")
    String topic;

    @Option(names = "--flag", paramLabel = "FLAG", description = "Only predictions with this flag, such as "
            + "MISCLASSIFIED.")
    String flag;

    @Option(names = "--event-id", paramLabel = "ID", split = ",", description = "Only these events.")
    List<String> eventIds;

    @Option(names = "--from", paramLabel = "INSTANT", description = "Published at or after, ISO-8601.")
    String from;

    @Option(names = "--to", paramLabel = "INSTANT", description = "Published at or before, ISO-8601.")
    String to;

    @Option(names = "--partition", paramLabel = "N", description = "Only this partition.")
    Integer partition;

    @Option(names = "--from-offset", paramLabel = "OFFSET", description = "From this offset.")
    Long fromOffset;

    @Option(names = "--to-offset", paramLabel = "OFFSET", description = "To this offset (inclusive).")
    Long toOffset;

    @Option(names = "--composite", paramLabel = "NAME|SPEC|HASH", description = "Explain with this composite "
            + "instead: a name, a spec, or the compositeHash of an explanation.")
    String composite;

    @Option(names = "--wait", paramLabel = "SECONDS", defaultValue = "120",
            description = "How long to follow the progress (0: do not wait). Default: ${DEFAULT-VALUE}.")
    long waitSeconds;

    @Override
    public Integer call() throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest.Builder start = HttpRequest.newBuilder(endpoint("/replays"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(selection().toString()));
        if (apiKey != null && !apiKey.isBlank()) {
            start.header(apiKeyHeader, apiKey);
        }
        JsonNode progress = send(http, start.build(), 202);
        String id = progress.get("id").asText();
        long deadline = System.nanoTime() + Duration.ofSeconds(waitSeconds).toNanos();
        while (!progress.get("done").asBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(500);
            progress = send(http, HttpRequest.newBuilder(endpoint("/replays/" + id)).GET().build(), 200);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println(progress);
        out.flush();
        if (progress.get("failed").asLong() > 0) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("lrp: " + failures(progress));
            err.flush();
        }
        return progress.get("done").asBoolean() && progress.get("failed").asLong() == 0 ? 0 : 1;
    }

    /** One line: how many events failed, and per reason the count and the first message. */
    private static String failures(JsonNode progress) {
        StringBuilder line = new StringBuilder(progress.get("failed").asLong() + " of " + progress.get("selected")
                .asLong() + " replayed events failed: ");
        String separator = "";
        var reasons = progress.path("failures").fields();
        while (reasons.hasNext()) {
            var reason = reasons.next();
            line.append(separator).append(reason.getKey()).append(" (").append(reason.getValue().path("count")
                    .asLong()).append(", first: ").append(reason.getValue().path("firstMessage").asText()
                    .replaceAll("\\s+", " ")).append(')');
            separator = "; ";
        }
        return line.toString();
    }

    private ObjectNode selection() {
        ObjectNode body = JSON.createObjectNode();
        body.put("topic", topic);
        body.put("flag", flag);
        if (eventIds != null) {
            eventIds.forEach(body.putArray("eventIds")::add);
        }
        body.put("from", instant("--from", from));
        body.put("to", instant("--to", to));
        body.put("partition", partition);
        body.put("fromOffset", fromOffset);
        body.put("toOffset", toOffset);
        body.put("composite", composite);
        return body;
    }

    private static String instant(String option, String value) {
        if (value == null) {
            return null;
        }
        try {
            return Instant.parse(value).toString();
        } catch (DateTimeParseException e) {
            throw new UserInputException(option + " expects an ISO-8601 instant such as 2026-11-27T10:00:00Z, found '"
                    + value + "'");
        }
    }

    private URI endpoint(String path) {
        try {
            return URI.create(url.replaceAll("/+$", "") + path);
        } catch (IllegalArgumentException e) {
            throw new UserInputException("--url expects an address such as http://localhost:8080, found '" + url
                    + "'");
        }
    }

    private JsonNode send(HttpClient http, HttpRequest request, int expectedStatus) throws InterruptedException {
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new UserInputException("no sidecar answers at " + url + " (start it, or pass --url)");
        } catch (IOException e) {
            throw new UserInputException("the sidecar at " + url + " did not answer: " + e.getMessage());
        }
        JsonNode body;
        try {
            body = JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UserInputException("expected JSON from " + request.uri() + ", found: " + response.body());
        }
        if (response.statusCode() != expectedStatus) {
            throw new UserInputException("the sidecar refused (" + response.statusCode() + "): "
                    + (body.has("message") ? body.get("message").asText() : response.body()));
        }
        return body;
    }
}
