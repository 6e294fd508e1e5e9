package io.lrpsidecar.app.openapi;

/** Names of the OpenAPI components that the endpoints refer to and {@link ApiDocumentFilter} defines. */
public final class ApiSchemas {
    /** A prediction event as JSON (the Avro record {@code PredictionEvent}). */
    public static final String PREDICTION_EVENT = "PredictionEvent";
    /** An explanation as JSON (the Avro record {@code Explanation}). */
    public static final String EXPLANATION = "Explanation";
    /** One explanation in a listing. */
    public static final String EXPLANATION_SUMMARY = "ExplanationSummary";
    /** Explanation summaries, newest first. */
    public static final String EXPLANATION_SUMMARIES = "ExplanationSummaries";
    /** The body of every error answer. */
    public static final String API_ERROR = "ApiError";
    /** The security scheme of the write endpoints: the API key in a header. */
    public static final String API_KEY_SCHEME = "apiKey";

    private ApiSchemas() {
    }
}
