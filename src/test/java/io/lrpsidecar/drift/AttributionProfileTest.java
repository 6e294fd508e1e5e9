package io.lrpsidecar.drift;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Window sliding, the baseline, pins, the store encoding, net-evidence shares and their merge. */
class AttributionProfileTest {
    /** Baseline of 3 events; window of 4 events in 2 blocks of 2. */
    private static final DriftSettings SMALL = new DriftSettings(3, 4, 2, 4, 4, 16);

    @Test
    void theWindowSlidesByBlocksAndTheBaselineKeepsTheFirstEvents() {
        AttributionProfile profile = new AttributionProfile(2, SMALL);
        for (int event = 1; event <= 7; event++) {
            profile.add(new double[] {event, -event});
        }
        ProfileShare share = profile.share();
        assertEquals(3, share.baselineEvents());
        assertTrue(share.baselineComplete());
        assertArrayEquals(new double[] {1 + 2 + 3, -(1 + 2 + 3)}, share.baseline(), 1e-12);
        // blocks [5, 6] and [7]: the block [3, 4] was emptied when 7 arrived
        assertEquals(3, share.currentEvents());
        assertArrayEquals(new double[] {5 + 6 + 7, -(5 + 6 + 7)}, share.current(), 1e-12);
        profile.add(new double[] {8, -8});
        profile.add(new double[] {9, -9});
        assertEquals(3, profile.share().currentEvents(), "blocks [7, 8] and [9]");
        assertArrayEquals(new double[] {24, -24}, profile.share().current(), 1e-12);
    }

    @Test
    void aPinAppliesOncePerIdAndTheEncodingKeepsEverything() {
        AttributionProfile profile = new AttributionProfile(2, SMALL);
        profile.add(new double[] {0.5, 0.5});
        assertFalse(profile.share().baselineComplete(), "1 of 3 baseline events");
        assertTrue(profile.pin("a", 42));
        assertFalse(profile.pin("a", 43));
        ProfileShare pinned = profile.share();
        assertEquals(ProfileShare.PINNED, pinned.baselineSource());
        assertEquals(42, pinned.pinnedAtMs());
        profile.add(new double[] {1, 0});
        AttributionProfile restored = AttributionProfile.decode(profile.encode(), 2, SMALL).orElseThrow();
        assertEquals(profile.share().currentEvents(), restored.share().currentEvents());
        assertArrayEquals(profile.share().current(), restored.share().current(), 0);
        assertArrayEquals(profile.share().baseline(), restored.share().baseline(), 0);
        assertFalse(restored.pin("a", 44), "the pin id survives the store");
        assertTrue(AttributionProfile.decode(profile.encode(), 3, SMALL).isEmpty(), "other cells start afresh");
        assertTrue(AttributionProfile.decode(profile.encode(), 2, DriftSettings.DEFAULTS).isEmpty(),
                "another window layout starts afresh");
    }

    @Test
    void anEventContributesItsSignedSharesOfEvidence() {
        ProfileLayout features = new ProfileLayout.Features(3, List.of("a", "b", "c"));
        assertArrayEquals(new double[] {0.5, -0.25, 0.25}, features.contribution(new double[] {2, -1, 1}, null)
                .orElseThrow(), 1e-12);
        assertTrue(features.contribution(new double[3], null).isEmpty(), "no evidence at all");
        ProfileLayout grid = new ProfileLayout.Grid(1, 2, 2, 1, 2);
        assertArrayEquals(new double[] {0, 1.0 / 3}, grid.contribution(new double[] {1, 1, -1, 0}, null)
                .orElseThrow(), 1e-12);
        ProfileLayout tokens = new ProfileLayout.Tokens(2, 2);
        assertArrayEquals(new double[] {0, -0.5, 0.5, 0}, tokens.contribution(new double[] {-1, 1},
                new long[] {3, 4}).orElseThrow(), 1e-12);
    }

    @Test
    void importanceIsTheNetEvidenceSoFeaturesWhoseSharesCancelLoseIt() {
        // feature 0 argues for the class in one event and against it in the other; feature 1 always for it
        ProfileShare share = new ProfileShare(new double[] {0.5, 0.5}, 2, true, ProfileShare.FIRST_EVENTS, 0,
                new double[] {0.5 - 0.5, 0.5 + 0.5}, 2);
        assertArrayEquals(new double[] {0, 1}, share.currentImportance(), 1e-12);
        assertArrayEquals(new double[] {0.5, 0.5}, share.baselineImportance(), 1e-12);
        assertEquals(DriftScores.jensenShannon(new double[] {0, 1}, new double[] {1, 1}), share.scores().jsd(),
                1e-12);
    }

    @Test
    void mergedSharesAddTheirMassesAndCounts() {
        ProfileShare first = new ProfileShare(new double[] {1, -1}, 2, true, ProfileShare.FIRST_EVENTS, 0,
                new double[] {0.5, 0.5}, 1);
        ProfileShare pinned = new ProfileShare(new double[] {2, 0}, 3, true, ProfileShare.PINNED, 99,
                new double[] {1, -2}, 4);
        ProfileShare filling = new ProfileShare(new double[] {0, 0}, 1, false, ProfileShare.FIRST_EVENTS, 0,
                new double[] {0, 0}, 1);
        ProfileShare merged = ProfileShare.merge(List.of(first, pinned));
        assertArrayEquals(new double[] {3, -1}, merged.baseline(), 1e-12);
        assertArrayEquals(new double[] {1.5, -1.5}, merged.current(), 1e-12);
        assertEquals(5, merged.baselineEvents());
        assertEquals(5, merged.currentEvents());
        assertEquals(ProfileShare.MIXED, merged.baselineSource());
        assertEquals(99, merged.pinnedAtMs());
        assertTrue(merged.baselineComplete());
        assertFalse(ProfileShare.merge(List.of(first, filling)).baselineComplete(), "one partition still filling");
        assertTrue(Double.isNaN(ProfileShare.merge(List.of(first, filling)).scores().jsd()));
    }
}
