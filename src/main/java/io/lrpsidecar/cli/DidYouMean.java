package io.lrpsidecar.cli;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import picocli.CommandLine;

/**
 * Suggestions for an argument nobody expects: the subcommands or options within two edits (a letter added, dropped,
 * changed or two swapped), so that short words such as {@code tial} find {@code tail}, and otherwise picocli's own
 * (which, for {@code tial}, offered {@code evaluate}).
 */
final class DidYouMean {
    /** Edits allowed between a mistyped word and a suggestion. */
    private static final int MAX_EDITS = 2;
    private static final int MAX_SUGGESTIONS = 3;

    private DidYouMean() {
    }

    /** Up to three suggestions for the first unmatched argument, nearest first. */
    static List<String> suggestions(CommandLine.UnmatchedArgumentException exception) {
        List<String> unmatched = exception.getUnmatched();
        if (!unmatched.isEmpty()) {
            String word = unmatched.get(0);
            CommandLine.Model.CommandSpec spec = exception.getCommandLine().getCommandSpec();
            Collection<String> candidates = word.startsWith("-") ? spec.optionsMap().keySet()
                    : spec.subcommands().keySet();
            List<String> near = nearest(word, candidates);
            if (!near.isEmpty()) {
                return near;
            }
        }
        return exception.getSuggestions().stream().limit(MAX_SUGGESTIONS).toList();
    }

    static List<String> nearest(String word, Collection<String> candidates) {
        List<String> near = new ArrayList<>();
        for (String candidate : candidates) {
            if (edits(word, candidate) <= MAX_EDITS) {
                near.add(candidate);
            }
        }
        near.sort(Comparator.comparingInt((String candidate) -> edits(word, candidate))
                .thenComparing(Comparator.naturalOrder()));
        return near.stream().limit(MAX_SUGGESTIONS).toList();
    }

    /** The optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
    static int edits(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
