package io.lrpsidecar.app.api;

import jakarta.ws.rs.core.Response;
import java.util.Locale;
import java.util.Optional;

/**
 * Strict parsing of query parameters, taken as text so that a bad value is a 400 naming the parameter, what was
 * expected and what was found (the framework's own conversion answers 404, or reads {@code overlay=abc} as false).
 */
final class QueryParameters {
    private QueryParameters() {
    }

    /** {@code true} or {@code false} (any case); {@code false} when absent. */
    static boolean bool(String name, String value) {
        if (value == null) {
            return false;
        }
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw bad(name, "true or false", value);
        };
    }

    /** A whole number from {@code min} to {@code max}; {@code fallback} when absent. */
    static int integer(String name, String value, int fallback, int min, int max) {
        return optionalInteger(name, value, min, max).orElse(fallback);
    }

    /** A whole number from {@code min} to {@code max}, when given. */
    static Optional<Integer> optionalInteger(String name, String value, int min, int max) {
        if (value == null) {
            return Optional.empty();
        }
        String expected = "a whole number from " + min + " to " + max;
        int parsed;
        try {
            parsed = Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw bad(name, expected, value);
        }
        if (parsed < min || parsed > max) {
            throw bad(name, expected, value);
        }
        return Optional.of(parsed);
    }

    private static ApiException bad(String name, String expected, String found) {
        String shown = found.length() > 100 ? found.substring(0, 100) + "... (" + found.length() + " characters)"
                : found;
        return new ApiException(Response.Status.BAD_REQUEST, "bad-parameter", "expected query parameter " + name
                + " to be " + expected + ", found '" + shown + "'");
    }
}
