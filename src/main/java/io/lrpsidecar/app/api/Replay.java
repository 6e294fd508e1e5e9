package io.lrpsidecar.app.api;

import java.time.Instant;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * One replay: its selection count and where the replay output topics ended when it started, from which its results
 * are counted (records carrying its {@code lrp-replay-id}).
 */
record Replay(String id, ReplayRequest request, int selected, Instant startedAt,
        Map<TopicPartition, Long> outputStart) {
}
