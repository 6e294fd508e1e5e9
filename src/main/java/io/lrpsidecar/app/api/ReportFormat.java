package io.lrpsidecar.app.api;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;

/**
 * Which form of the regulator's report a request gets: {@code ?format=json} or {@code ?format=html} when given, else
 * the first of JSON and HTML the {@code Accept} header admits, in its order of preference (a browser's prefers HTML);
 * JSON when it admits neither specifically ({@code *}{@code /*} or no header).
 */
final class ReportFormat {
    private ReportFormat() {
    }

    /** Whether the answer is the HTML page. */
    static boolean html(String format, List<MediaType> acceptable) {
        if (format != null) {
            return switch (format) {
                case "html" -> true;
                case "json" -> false;
                default -> throw new ApiException(Response.Status.BAD_REQUEST, "bad-parameter", "expected query "
                        + "parameter format to be html or json, found '" + (format.length() > 100
                        ? format.substring(0, 100) + "..." : format) + "'");
            };
        }
        for (MediaType type : acceptable) {
            if (type.isWildcardType()) {
                return false;
            }
            if (type.isCompatible(MediaType.TEXT_HTML_TYPE)) {
                return true;
            }
            if (type.isCompatible(MediaType.APPLICATION_JSON_TYPE)) {
                return false;
            }
        }
        return false;
    }
}
