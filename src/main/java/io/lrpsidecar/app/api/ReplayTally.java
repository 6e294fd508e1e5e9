package io.lrpsidecar.app.api;

import io.lrpsidecar.events.v1.DeadLetter;
import io.lrpsidecar.events.v1.Explanation;
import io.lrpsidecar.stream.AvroSerde;
import io.lrpsidecar.stream.ReleasedSchemas;
import io.lrpsidecar.stream.ReplayHeader;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * What one replay has produced so far, counted from the records of the replay output and dead-letter topics that
 * carry its {@code lrp-replay-id}: its explanations, each with the address it is read at, and its failures by reason
 * with the first event and message of each. It remembers how far it has read, so that each progress request reads
 * only the records published since the last one.
 */
final class ReplayTally {
    private final String replayId;
    private final String explanationsTopic;
    private final Map<TopicPartition, Long> position;
    private final AvroSerde<Explanation> explanations = ReleasedSchemas.explanationSerde();
    private final AvroSerde<DeadLetter> deadLetters = new AvroSerde<>(DeadLetter.getClassSchema());
    private final List<ReplayedExplanation> produced = new ArrayList<>();
    private final Map<String, ReplayFailures> failures = new LinkedHashMap<>();
    private long failed;

    /**
     * @param replayId          the replay counted
     * @param explanationsTopic the replay output topic (any other topic read holds dead letters)
     * @param start             where the output topics ended when the replay started
     */
    ReplayTally(String replayId, String explanationsTopic, Map<TopicPartition, Long> start) {
        this.replayId = replayId;
        this.explanationsTopic = explanationsTopic;
        this.position = new HashMap<>(start);
    }

    /** Where to read on from, per partition. */
    Map<TopicPartition, Long> position() {
        return Map.copyOf(position);
    }

    /** Whether a record of the output topics is one of this replay's. */
    boolean ours(ConsumerRecord<byte[], byte[]> record) {
        return ReplayHeader.of(record.headers()).filter(replayId::equals).isPresent();
    }

    /** Counts one record of this replay ({@link #ours}) read at or after {@link #position()}. */
    void count(ConsumerRecord<byte[], byte[]> record) {
        String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
        if (record.topic().equals(explanationsTopic)) {
            countExplanation(key, record.value());
        } else {
            countFailure(key, record.value());
        }
    }

    /** Records that everything before {@code end} has been counted. */
    void readUpTo(Map<TopicPartition, Long> end) {
        end.forEach((partition, offset) -> position.merge(partition, offset, Math::max));
    }

    long explained() {
        return produced.size();
    }

    long failed() {
        return failed;
    }

    List<ReplayedExplanation> produced() {
        return List.copyOf(produced);
    }

    Map<String, ReplayFailures> failures() {
        return new LinkedHashMap<>(failures);
    }

    private void countExplanation(String key, byte[] value) {
        try {
            Explanation explanation = explanations.decode(value);
            String eventId = explanation.getEventId();
            String query = "?composite=" + explanation.getCompositeHash() + "&origin=replay";
            produced.add(new ReplayedExplanation(eventId, explanation.getComposite(),
                    explanation.getCompositeHash(), "/explanations/" + encode(eventId) + query,
                    "/explanations/" + encode(eventId) + "/heatmap.png" + query));
        } catch (IOException | RuntimeException e) {
            produced.add(new ReplayedExplanation(key, null, null, null, null));
        }
    }

    private void countFailure(String key, byte[] value) {
        failed++;
        String stage;
        String reason;
        String message;
        try {
            DeadLetter letter = deadLetters.decode(value);
            stage = letter.getStage().name();
            reason = letter.getReason();
            message = letter.getErrorMessage();
        } catch (IOException | RuntimeException e) {
            stage = "UNKNOWN";
            reason = "undecodable-dead-letter";
            message = "the dead letter of this replay does not decode: " + e.getMessage();
        }
        ReplayFailures known = failures.get(reason);
        failures.put(reason, known == null ? new ReplayFailures(stage, 1, key, message)
                : new ReplayFailures(known.stage(), known.count() + 1, known.firstEventId(), known.firstMessage()));
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
