package io.lrpsidecar.app.api;

import io.lrpsidecar.stream.RecentExplanations;
import jakarta.ws.rs.core.Response;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * Where an explanation of an event came from: its live prediction ({@code original}) or a replay ({@code replay}).
 * The query parameter {@code origin} of {@code GET /explanations/{id}} chooses one; the header {@link #HEADER} of
 * the answer says which it is.
 */
enum Origin {
    ORIGINAL, REPLAY;

    /** The answer header naming the origin of the explanation answered. */
    static final String HEADER = "X-Lrp-Origin";

    /** The word used in parameters, headers and listings. */
    String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    static Origin of(RecentExplanations.Stored stored) {
        return stored.replayed() ? REPLAY : ORIGINAL;
    }

    /** The origin a query parameter asks for; empty when absent. */
    static Optional<Origin> of(String parameter) {
        if (parameter == null) {
            return Optional.empty();
        }
        return Arrays.stream(values()).filter(origin -> origin.word().equals(parameter)).findFirst()
                .map(Optional::of).orElseThrow(() -> new ApiException(Response.Status.BAD_REQUEST, "bad-parameter",
                        "expected query parameter origin to be original or replay, found '" + (parameter.length()
                        > 100 ? parameter.substring(0, 100) + "..." : parameter) + "'"));
    }

    /** The query string part passing an origin on to another instance. */
    static String query(Optional<Origin> origin) {
        return origin.map(wanted -> "&origin=" + wanted.word()).orElse("");
    }
}
