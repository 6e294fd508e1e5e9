package io.lrpsidecar.cli;

import io.lrpsidecar.engine.composite.Composite;
import io.lrpsidecar.engine.composite.CompositeParser;
import io.lrpsidecar.npy.Npy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** Parses a comma-separated list of composite specs, whose own parameters may hold commas inside parentheses. */
final class CompositeList {
    /** The control every evaluation adds: gradient × input. */
    static final String GRADIENT_X_INPUT = "gradient-x-input";

    private CompositeList() {
    }

    /**
     * A relevance source of an evaluation.
     *
     * @param name      the spec as given, the name reports use
     * @param composite the parsed composite
     */
    record Source(String name, Composite composite) {
    }

    /** The specs of {@code text}, split at commas outside parentheses, each parsed; gradient × input added last. */
    static List<Source> parseList(String option, String text) {
        List<Source> sources = new ArrayList<>();
        for (String spec : split(text)) {
            add(sources, spec, parseOne(option, spec));
        }
        if (sources.isEmpty()) {
            throw new UserInputException(option + ": expected at least one composite, such as epsilon-plus-flat");
        }
        add(sources, GRADIENT_X_INPUT, parseOne(option, GRADIENT_X_INPUT));
        return sources;
    }

    /** Adds a source unless one with the same canonical spec is already there. */
    static void add(List<Source> sources, String name, Composite composite) {
        if (sources.stream().noneMatch(source -> source.composite().spec().equals(composite.spec()))) {
            sources.add(new Source(name, composite));
        }
    }

    /**
     * One spec parsed; an unknown built-in name (alone, or as the base of a custom map) gets the nearest built-in
     * names as suggestions.
     */
    static Composite parseOne(String option, String spec) {
        String head = spec.split(";", 2)[0].trim();
        if (!hasTopLevelEquals(head)) {
            String name = head.split("\\(", 2)[0].trim();
            if (!name.isEmpty() && !CompositeParser.BUILT_INS.contains(name)) {
                List<String> near = DidYouMean.nearest(name, CompositeParser.BUILT_INS);
                throw new UserInputException(option + ": unknown composite '" + name + "'"
                        + (near.isEmpty() ? "" : "; did you mean " + near.stream().map(n -> "'" + n + "'")
                                .collect(Collectors.joining(" or ")) + "?")
                        + " (built-ins: " + String.join(", ", CompositeParser.BUILT_INS) + ")");
            }
        }
        return new CompositeParser(file -> Npy.read(Path.of(file)).tensor()).parse(spec);
    }

    private static boolean hasTopLevelEquals(String text) {
        int depth = 0;
        for (char c : text.toCharArray()) {
            depth += c == '(' ? 1 : c == ')' ? -1 : 0;
            if (c == '=' && depth == 0) {
                return true;
            }
        }
        return false;
    }

    /** Splits at commas outside parentheses, dropping blank parts. */
    static List<String> split(String text) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i <= text.length(); i++) {
            char c = i < text.length() ? text.charAt(i) : ',';
            depth += c == '(' ? 1 : c == ')' ? -1 : 0;
            if (c == ',' && depth == 0) {
                String part = text.substring(start, i).trim();
                if (!part.isEmpty()) {
                    parts.add(part);
                }
                start = i + 1;
            }
        }
        return parts;
    }
}
