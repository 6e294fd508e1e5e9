package io.lrpsidecar.app.api;

import io.lrpsidecar.app.SidecarConfig;
import io.lrpsidecar.stream.RecentExplanations;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.state.HostInfo;

/**
 * The other instances of the sidecar, as Kafka Streams metadata names them ({@code application.server}), and
 * queries forwarded to them over HTTP with {@code local=true}, so that they answer from their own stores.
 */
@ApplicationScoped
public class Peers {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    private final KafkaStreams streams;
    private final RecentExplanations recent;

    public Peers(KafkaStreams streams, SidecarConfig config) {
        this.streams = streams;
        this.recent = new RecentExplanations(streams, config.topics().explanations());
    }

    /**
     * Every other instance running the topology: all clients but the one holding this instance's partitions of the
     * explanations topic.
     */
    public List<HostInfo> others() {
        Set<Integer> local = recent.localPartitions();
        String topic = recent.explanationsTopic();
        List<StreamsMetadata> clients = List.copyOf(streams.metadataForAllStreamsClients());
        return clients.stream().filter(client -> client.topicPartitions().stream().noneMatch(partition ->
                partition.topic().equals(topic) && local.contains(partition.partition())))
                .map(StreamsMetadata::hostInfo).distinct().toList();
    }

    /** GET {@code pathAndQuery} (which must ask for {@code local=true}) on another instance. */
    public HttpResponse<byte[]> get(HostInfo host, String pathAndQuery) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + host.host() + ":" + host.port()
                + pathAndQuery)).timeout(TIMEOUT).GET().build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new ApiException(Response.Status.BAD_GATEWAY, "the instance " + host.host() + ":" + host.port()
                    + " that keeps this explanation did not answer: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(Response.Status.SERVICE_UNAVAILABLE, "interrupted while asking "
                    + host.host() + ":" + host.port());
        }
    }

    /**
     * What every other instance answered to {@code pathAndQuery} (which must ask for {@code local=true}): the 200
     * answers, and the instances that did not give one.
     */
    public Answers askOthers(String pathAndQuery) {
        List<HttpResponse<byte[]>> answered = new java.util.ArrayList<>();
        List<String> unanswered = new java.util.ArrayList<>();
        for (HostInfo peer : others()) {
            try {
                HttpResponse<byte[]> answer = get(peer, pathAndQuery);
                if (answer.statusCode() == 200) {
                    answered.add(answer);
                } else {
                    unanswered.add(peer.host() + ":" + peer.port());
                }
            } catch (ApiException e) {
                unanswered.add(peer.host() + ":" + peer.port());
            }
        }
        return new Answers(answered, unanswered);
    }

    /** The 200 answers of other instances, and the {@code host:port} of those without one. */
    public record Answers(List<HttpResponse<byte[]>> answered, List<String> unanswered) {
    }

    /** The answer of another instance, relayed as it is. */
    public static Response relay(HttpResponse<byte[]> answer) {
        return Response.status(answer.statusCode()).entity(answer.body())
                .type(answer.headers().firstValue("content-type").orElse("application/octet-stream")).build();
    }
}
