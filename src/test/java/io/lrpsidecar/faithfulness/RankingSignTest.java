package io.lrpsidecar.faithfulness;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lrpsidecar.engine.InitMode;
import io.lrpsidecar.engine.composite.Composite;
import io.lrpsidecar.engine.composite.CompositeParser;
import org.junit.jupiter.api.Test;

/** Regions are ranked by the contribution to the target logit, whichever initialisation the relevance came from. */
class RankingSignTest {
    private final CompositeParser parser = new CompositeParser(file -> null);

    @Test
    void gradientsContributeFromOneAndLrpCompositesFromTheLogit() {
        assertEquals(InitMode.ONEHOT, RankingSign.contributionInit(parser.parse("gradient")));
        assertEquals(InitMode.ONEHOT, RankingSign.contributionInit(parser.parse("gradient-x-input")));
        for (String spec : new String[] {"epsilon", "epsilon-plus-flat", "epsilon-gamma-box(low=0,high=1)",
                "attnlrp", "dense=epsilon(0.25)"}) {
            assertEquals(InitMode.LOGIT, RankingSign.contributionInit(parser.parse(spec)), spec);
        }
    }

    @Test
    void relevanceFromTheOtherInitialisationIsReadWithTheSignOfTheTargetLogit() {
        Composite gradient = parser.parse("gradient-x-input");
        Composite epsilon = parser.parse("epsilon");
        assertEquals(1.0, RankingSign.of(gradient, InitMode.ONEHOT, -3.0));
        assertEquals(-1.0, RankingSign.of(gradient, InitMode.LOGIT, -3.0), "logit x gradient ranks backwards");
        assertEquals(1.0, RankingSign.of(gradient, InitMode.LOGIT, 2.0));
        assertEquals(1.0, RankingSign.of(epsilon, InitMode.LOGIT, -3.0));
        assertEquals(-1.0, RankingSign.of(epsilon, InitMode.ONEHOT, -3.0), "relevance / logit ranks backwards");
        assertEquals(0.0, RankingSign.of(epsilon, InitMode.ONEHOT, 0.0));
    }
}
