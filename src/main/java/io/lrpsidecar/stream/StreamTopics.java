package io.lrpsidecar.stream;

/**
 * The topics of the sidecar.
 *
 * @param predictions  prediction events in
 * @param explanations explanations out, keyed by event id
 * @param metrics      compact per-event figures out
 * @param flagged      flagged predictions out, whole, for replay
 * @param deadLetters  records that could not be explained, with the reason
 */
public record StreamTopics(String predictions, String explanations, String metrics, String flagged,
        String deadLetters) {

    public static StreamTopics defaults() {
        return new StreamTopics("predictions", "explanations", "explanation-metrics", "predictions-flagged",
                "predictions-dlq");
    }
}
