package io.lrpsidecar.cli;

import io.lrpsidecar.faithfulness.Estimate;
import io.lrpsidecar.faithfulness.SourceResult;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The table {@code lrp evaluate} prints: a line per source with ABPC and its interval, the AOPCs, logit ABPC. */
final class FaithfulnessTable {
    private FaithfulnessTable() {
    }

    static void print(PrintWriter out, List<SourceResult> results) {
        int width = Math.max(6, results.stream().mapToInt(result -> result.name().length()).max().orElse(6));
        out.printf(Locale.ROOT, "%-" + width + "s  %-26s  %9s  %9s  %-26s%n", "source", "ABPC [95% CI]", "AOPC MoRF",
                "AOPC LeRF", "ABPC logit [95% CI]");
        for (SourceResult result : results) {
            Map<String, Estimate> estimates = FaithfulnessReport.estimates(result);
            out.printf(Locale.ROOT, "%-" + width + "s  %-26s  %9s  %9s  %-26s%n", result.name(),
                    interval(estimates.get("abpc")), single(estimates.get("aopcMorf")),
                    single(estimates.get("aopcLerf")), interval(estimates.get("abpcLogit")));
        }
        out.flush();
    }

    static String interval(Estimate estimate) {
        if (estimate == null) {
            return "-";
        }
        return String.format(Locale.ROOT, "%+.4f [%+.4f, %+.4f]", estimate.mean(), estimate.low(), estimate.high());
    }

    private static String single(Estimate estimate) {
        return estimate == null ? "-" : String.format(Locale.ROOT, "%+.4f", estimate.mean());
    }
}
