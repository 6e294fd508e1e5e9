package io.lrpsidecar.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrpsidecar.events.v1.DataType;
import io.lrpsidecar.events.v1.Explanation;
import io.lrpsidecar.runtime.DeviceChoice;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A model configured with {@code relevance-encoding=float16} writes FLOAT16 relevance of half the bytes that decodes
 * within half precision of the float32 relevance the default writes for the same events, on the real explainer; the
 * rest of the explanation (top features, relevance sum, conservation error) is the same, and replays are written in
 * the model's encoding too.
 */
class Float16RelevanceTopologyTest {
    private static final int ROWS = 24;
    /** Half precision: 11 significant bits, so a normal value is within 2^-11 of itself (relative). */
    private static final double HALF_RELATIVE = Math.scalb(1.0, -11);
    /** Below the smallest normal half (2^-14) values are multiples of 2^-24: within 2^-25. */
    private static final double HALF_SUBNORMAL_ABSOLUTE = Math.scalb(1.0, -25);

    private static Map<String, Explanation> explain(RelevanceEncoding encoding, boolean replayFirst) {
        ModelSettings digits = TopologyFixture.settings(ROWS, Duration.ofSeconds(10), List.of())
                .withRelevanceEncoding(encoding);
        ModelSettings tabular = TopologyFixture.settings(ROWS, Duration.ofSeconds(10),
                TopologyFixture.TABULAR_FEATURES).withRelevanceEncoding(encoding);
        try (TopologyFixture f = new TopologyFixture(digits, tabular, DeviceChoice.CPU)) {
            for (int row = 0; row < ROWS; row++) {
                f.send(f.digitEvent("digit-" + row, row, 0).build());
                f.send(f.breastCancerEvent("tabular-" + row, row, 0).build());
            }
            if (replayFirst) {
                f.replay(f.digitEvent("digit-0", 0, 0).build(), "replay-1");
                f.driver.advanceWallClockTime(Duration.ofSeconds(11));
            }
            List<Explanation> all = new java.util.ArrayList<>(f.explanations.readValuesToList());
            List<Explanation> replayed = f.replayed.readValuesToList();
            replayed.forEach(explanation -> explanation.setEventId("replayed-" + explanation.getEventId()));
            all.addAll(replayed);
            return all.stream().collect(Collectors.toMap(explanation -> explanation.getEventId().toString(),
                    Function.identity()));
        }
    }

    @Test
    void float16RelevanceDecodesWithinHalfPrecisionOfTheFloat32One() {
        Map<String, Explanation> float32 = explain(RelevanceEncoding.FLOAT32, false);
        Map<String, Explanation> float16 = explain(RelevanceEncoding.FLOAT16, true);
        assertEquals(2 * ROWS, float32.size());
        assertEquals(2 * ROWS + 1, float16.size(), "every event and the replay explained: " + float16.keySet());

        float16.forEach((id, half) -> {
            Explanation full = float32.get(id.replace("replayed-", ""));
            assertEquals(DataType.FLOAT32, full.getRelevance().getDtype());
            assertEquals(DataType.FLOAT16, half.getRelevance().getDtype(), id);
            assertEquals(full.getRelevance().getShape(), half.getRelevance().getShape(), id);
            assertEquals(full.getRelevance().getData().remaining() / 2, half.getRelevance().getData().remaining(),
                    "half the bytes: " + id);
            double[] expected = TensorCodec.values(full.getRelevance());
            double[] actual = TensorCodec.values(half.getRelevance());
            double largest = 0;
            for (int i = 0; i < expected.length; i++) {
                double bound = Math.abs(expected[i]) >= Math.scalb(1.0, -14)
                        ? HALF_RELATIVE * Math.abs(expected[i]) : HALF_SUBNORMAL_ABSOLUTE;
                // the half is rounded from the explainer's value, not from the float32 one: allow that rounding too
                bound += Math.ulp((float) expected[i]);
                assertTrue(Math.abs(actual[i] - expected[i]) <= bound, id + "[" + i + "]: float32 " + expected[i]
                        + ", float16 " + actual[i]);
                largest = Math.max(largest, Math.abs(expected[i]));
            }
            assertTrue(largest > 0, "real relevance, not zeros: " + id);
            assertEquals(full.getTopFeatures(), half.getTopFeatures(), "top features from full precision: " + id);
            assertEquals(full.getRelevanceSum(), half.getRelevanceSum(), id);
            assertEquals(full.getConservationError(), half.getConservationError(), id);
        });
    }
}
