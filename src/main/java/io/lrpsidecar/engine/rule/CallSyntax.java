package io.lrpsidecar.engine.rule;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one parameter syntax shared by rules and composites: {@code name}, {@code name(value)},
 * {@code name(key=value,key=value)}. Values stay text; the composite parser converts them.
 *
 * @param name        the rule or composite name
 * @param positional  values given without a key, in order
 * @param named       values given as {@code key=value}
 */
public record CallSyntax(String name, List<String> positional, Map<String, String> named) {

    /** Parses {@code text} into a name and its values, failing with what was expected and found. */
    public static CallSyntax parse(String text) {
        String trimmed = text.trim();
        int open = trimmed.indexOf('(');
        if (open < 0) {
            requireName(trimmed, text);
            return new CallSyntax(trimmed, List.of(), Map.of());
        }
        if (!trimmed.endsWith(")")) {
            throw new CompositeSpecException("'" + text + "': expected a closing parenthesis, as in gamma(0.25)");
        }
        String name = trimmed.substring(0, open).trim();
        requireName(name, text);
        List<String> positional = new ArrayList<>();
        Map<String, String> named = new LinkedHashMap<>();
        String body = trimmed.substring(open + 1, trimmed.length() - 1).trim();
        if (!body.isEmpty()) {
            for (String argument : body.split(",")) {
                int equals = argument.indexOf('=');
                if (equals < 0) {
                    if (!named.isEmpty()) {
                        throw new CompositeSpecException("'" + text + "': a positional value follows a named one");
                    }
                    positional.add(argument.trim());
                } else {
                    String key = argument.substring(0, equals).trim();
                    if (named.put(key, argument.substring(equals + 1).trim()) != null) {
                        throw new CompositeSpecException("'" + text + "': parameter '" + key + "' is given twice");
                    }
                }
            }
        }
        return new CallSyntax(name, positional, named);
    }

    private static void requireName(String name, String text) {
        if (!name.matches("[a-z][a-z0-9-]*")) {
            throw new CompositeSpecException("'" + text + "': expected a name such as epsilon or gamma(0.25), found '"
                    + name + "'");
        }
    }
}
