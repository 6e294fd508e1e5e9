package io.lrpsidecar.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lrpsidecar.events.v1.FeatureRelevance;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The one-pass top-k selection agrees with a full sort by |relevance| (earlier index first on ties). */
class TopFeaturesTest {

    @Test
    void agreesWithAFullSortOnRandomAndTiedValues() {
        Random random = new Random(17);
        for (int trial = 0; trial < 200; trial++) {
            int n = 1 + random.nextInt(60);
            double[] relevance = new double[n];
            for (int i = 0; i < n; i++) {
                relevance[i] = trial % 3 == 0 ? random.nextInt(5) - 2 : random.nextGaussian();
            }
            int k = random.nextInt(12);
            List<Integer> expected = IntStream.range(0, n).boxed()
                    .sorted(Comparator.comparingDouble((Integer i) -> -Math.abs(relevance[i])).thenComparing(i -> i))
                    .limit(k).toList();
            List<Integer> actual = ExplanationAssembler.topFeatures(relevance, k, List.of()).stream()
                    .map(FeatureRelevance::getIndex).toList();
            assertEquals(expected, actual, "trial " + trial + " k " + k);
        }
    }

    @Test
    void namesFeaturesWhenTheModelDeclaresThem() {
        List<FeatureRelevance> top = ExplanationAssembler.topFeatures(new double[] {0.1, -3, 2}, 2,
                List.of("age", "income", "debt"));
        assertEquals(List.of("income", "debt"), top.stream().map(FeatureRelevance::getName).toList());
        assertEquals(-3.0, top.get(0).getRelevance());
    }
}
