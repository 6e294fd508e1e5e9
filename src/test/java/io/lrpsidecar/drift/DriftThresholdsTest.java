package io.lrpsidecar.drift;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The drift thresholds of the API and the web page ({@link DriftScores}) are those the alert fires on
 * (deploy/prometheus/alerts.yml): the two places that hold them cannot drift apart unnoticed.
 */
class DriftThresholdsTest {
    private static final Pattern COMPARISON = Pattern.compile(
            "lrp_attribution_drift\\{measure=\"(ndcg|jsd)\"\\}\\)\\s*>\\s*([0-9.]+)");

    @Test
    void theAlertFiresAtTheThresholdsTheApiReports() throws IOException {
        Map<String, Double> alert = new HashMap<>();
        Matcher matcher = COMPARISON.matcher(Files.readString(Path.of("deploy/prometheus/alerts.yml")));
        while (matcher.find()) {
            alert.put(matcher.group(1), Double.parseDouble(matcher.group(2)));
        }
        assertEquals(Map.of("ndcg", DriftScores.NDCG_DRIFT_THRESHOLD, "jsd", DriftScores.JSD_THRESHOLD), alert,
                "expected alerts.yml to compare lrp_attribution_drift with the thresholds of DriftScores");
    }
}
