package io.lrpsidecar.stream;

import java.util.List;

/**
 * The topics of the sidecar.
 *
 * @param predictions        prediction events in
 * @param explanations       explanations out, keyed by event id
 * @param metrics            compact per-event figures out
 * @param flagged            flagged predictions out, whole, for replay
 * @param deadLetters        records that could not be explained, with the reason
 * @param predictionsReplay  replayed prediction events in, each with an {@code lrp-replay-id} header
 * @param explanationsReplay explanations of replayed events out, keyed by event id, with the replay id header
 */
public record StreamTopics(String predictions, String explanations, String metrics, String flagged,
        String deadLetters, String predictionsReplay, String explanationsReplay) {

    public static StreamTopics defaults() {
        return new StreamTopics("predictions", "explanations", "explanation-metrics", "predictions-flagged",
                "predictions-dlq", "predictions-replay", "explanations-replay");
    }

    /** Every topic, in the order of the components. */
    public List<String> all() {
        return List.of(predictions, explanations, metrics, flagged, deadLetters, predictionsReplay,
                explanationsReplay);
    }
}
