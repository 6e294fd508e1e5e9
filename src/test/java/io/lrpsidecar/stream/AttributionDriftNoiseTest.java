package io.lrpsidecar.stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrpsidecar.drift.DriftScores;
import io.lrpsidecar.drift.DriftSettings;
import io.lrpsidecar.drift.ProfileLayout;
import io.lrpsidecar.drift.ProfileShare;
import io.lrpsidecar.engine.ExplainableModel;
import io.lrpsidecar.engine.Target;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.npy.Npy;
import io.lrpsidecar.runtime.DeviceChoice;
import io.lrpsidecar.runtime.RuntimeSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The figures behind the drift thresholds and the choice of the net-evidence profile (docs/drift.md), measured on the
 * demo breast-cancer model ({@code epsilon}, real ONNX Runtime) and its 143 held-out rows, with bootstrap windows of
 * the default 1000 events: a baseline window and a current window each draw 1000 rows with replacement.
 * <ul>
 *   <li>noise: both windows from the held-out rows;</li>
 *   <li>shift: the current window from the held-out rows with two features permuted across rows (a new permutation
 *   per replicate).</li>
 * </ul>
 * Each figure is printed (the doc's table) and the thresholds' claims are asserted: the JSD threshold is above the
 * noise's 95th percentile with room to spare, the shift of features 7 and 20 exceeds it in at least 95% of the
 * replicates (its 5th percentile is above four times the noise's 95th), while the mean |R| profile of the same
 * shift stays within twice its own noise.
 */
class AttributionDriftNoiseTest {
    private static final int WINDOW = DriftSettings.DEFAULTS.windowEvents();
    private static final int REPLICATES = 200;
    private static final int MEAN_CONCAVE_POINTS = 7;
    private static final int WORST_RADIUS = 20;
    private static ServedModel model;
    private static Tensor holdout;

    @BeforeAll
    static void load() {
        holdout = Npy.read(Path.of("src/main/resources/demo/breast_cancer_holdout.npy")).tensor();
        model = new ServedModel("breast_cancer", "1", "sha", ExplainableModel.load(
                Path.of("src/main/resources/demo/breast_cancer.onnx")), new ModelSettings("epsilon",
                TargetPolicy.PREDICTED, List.of(), 256, Duration.ofMillis(50), 0.5, 0.6, 1e-3, 1 << 16, 10),
                new RuntimeSettings(DeviceChoice.CPU, 1, 1), TopologyFixture.PARSER);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void theJsdThresholdSeparatesTwoPermutedFeaturesFromSamplingNoiseAndTheMagnitudeProfileCannot() {
        Figures noise = measure(random -> holdout.doubles(), false, 11);
        Figures shift = measure(random -> permuted(random, MEAN_CONCAVE_POINTS, WORST_RADIUS), false, 11);
        Figures otherShift = measure(random -> permuted(random, 10, 13), false, 11);
        Figures magnitudeNoise = measure(random -> holdout.doubles(), true, 11);
        Figures magnitudeShift = measure(random -> permuted(random, MEAN_CONCAVE_POINTS, WORST_RADIUS), true, 11);
        System.out.printf("net evidence, noise:          %s%n", noise);
        System.out.printf("net evidence, 7 and 20:       %s%n", shift);
        System.out.printf("net evidence, 10 and 13:      %s%n", otherShift);
        System.out.printf("mean |R|, noise:              %s%n", magnitudeNoise);
        System.out.printf("mean |R|, 7 and 20:           %s%n", magnitudeShift);

        assertTrue(noise.jsdP95() * 3 < DriftScores.JSD_THRESHOLD, "noise " + noise);
        assertTrue(noise.ndcgP95() < DriftScores.NDCG_DRIFT_THRESHOLD, "noise " + noise);
        assertTrue(shift.jsdP5() > DriftScores.JSD_THRESHOLD, "features 7 and 20 permuted: " + shift);
        assertTrue(shift.jsdP5() > 4 * noise.jsdP95(), "net evidence: shift " + shift + ", noise " + noise);
        assertTrue(magnitudeShift.jsdP5() < 2 * magnitudeNoise.jsdP95(), "the |R| profile barely parts the same "
                + "shift from its noise: shift " + magnitudeShift + ", noise " + magnitudeNoise);
    }

    /** Percentiles of both scores over the replicates. */
    record Figures(double ndcgP5, double ndcgP50, double ndcgP95, double jsdP5, double jsdP50, double jsdP95) {
        @Override
        public String toString() {
            return String.format("1-nDCG p5 %.4f p50 %.4f p95 %.4f | JSD p5 %.4f p50 %.4f p95 %.4f", ndcgP5, ndcgP50,
                    ndcgP95, jsdP5, jsdP50, jsdP95);
        }
    }

    /**
     * Bootstrap replicates: a baseline window from the held-out rows and a current window from {@code currentRows}
     * (a fresh data set per replicate), scored as {@link ProfileShare} scores them; {@code magnitude} profiles
     * |R| per cell instead of the signed share.
     */
    private static Figures measure(Function<Random, double[]> currentRows, boolean magnitude, long seed) {
        Random random = new Random(seed);
        double[][] held = shares(holdout.doubles(), magnitude);
        double[] ndcg = new double[REPLICATES];
        double[] jsd = new double[REPLICATES];
        for (int replicate = 0; replicate < REPLICATES; replicate++) {
            double[][] current = shares(currentRows.apply(random), magnitude);
            ProfileShare share = new ProfileShare(window(held, random), WINDOW, true, ProfileShare.FIRST_EVENTS, 0,
                    window(current, random), WINDOW);
            ndcg[replicate] = share.scores().ndcgDrift();
            jsd[replicate] = share.scores().jsd();
        }
        Arrays.sort(ndcg);
        Arrays.sort(jsd);
        return new Figures(percentile(ndcg, 5), percentile(ndcg, 50), percentile(ndcg, 95), percentile(jsd, 5),
                percentile(jsd, 50), percentile(jsd, 95));
    }

    private static double percentile(double[] sorted, int percent) {
        return sorted[Math.min(sorted.length - 1, (int) Math.round(percent / 100.0 * (sorted.length - 1)))];
    }

    /** The summed contributions of {@link #WINDOW} rows drawn with replacement. */
    private static double[] window(double[][] shares, Random random) {
        double[] sum = new double[shares[0].length];
        for (int event = 0; event < WINDOW; event++) {
            double[] drawn = shares[random.nextInt(shares.length)];
            for (int cell = 0; cell < sum.length; cell++) {
                sum[cell] += drawn[cell];
            }
        }
        return sum;
    }

    /** Each row's contribution as the topology computes it, or its |R| share when {@code magnitude}. */
    private static double[][] shares(double[] rows, boolean magnitude) {
        int width = holdout.dim(1);
        int count = rows.length / width;
        double[] relevance = model.explain(model.composite(null), Tensor.of(new int[] {count, width}, rows),
                new Target.Predicted()).explanation().relevance().doubles();
        ProfileLayout layout = new ProfileLayout.Features(width, List.of());
        double[][] shares = new double[count][];
        for (int row = 0; row < count; row++) {
            double[] values = Arrays.copyOfRange(relevance, row * width, (row + 1) * width);
            if (magnitude) {
                values = Arrays.stream(values).map(Math::abs).toArray();
            }
            shares[row] = layout.contribution(values, null).orElseThrow();
        }
        return shares;
    }

    private static double[] permuted(Random random, int... features) {
        return permuted(holdout, random, features);
    }

    /** The rows of {@code data} {@code [rows, features]} with each of {@code features} shuffled across rows. */
    static double[] permuted(Tensor data, Random random, int... features) {
        int rows = data.dim(0);
        int width = data.dim(1);
        double[] values = data.doubles().clone();
        for (int feature : features) {
            int[] order = shuffled(rows, random);
            for (int row = 0; row < rows; row++) {
                values[row * width + feature] = data.doubles()[order[row] * width + feature];
            }
        }
        return values;
    }

    /** {@code 0 .. n-1} in a Fisher–Yates order. */
    private static int[] shuffled(int n, Random random) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        return order;
    }
}
