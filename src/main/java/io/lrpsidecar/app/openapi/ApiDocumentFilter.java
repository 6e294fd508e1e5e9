package io.lrpsidecar.app.openapi;

import io.lrpsidecar.events.v1.Explanation;
import io.lrpsidecar.events.v1.PredictionEvent;
import io.quarkus.smallrye.openapi.OpenApiFilter;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.Components;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.media.Schema.SchemaType;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;
import org.eclipse.microprofile.openapi.models.security.SecurityScheme;

/**
 * Completes the scanned document when the service starts: the schemas of {@link PredictionEvent} and
 * {@link Explanation} (from their Avro schemas, see {@link AvroSchemas}), the explanation summary of listings, the
 * error body ({@code ApiError}) as the 4XX and 5XX answer of every operation, and the API-key security scheme with the
 * header this instance is configured to read ({@code lrp.api.key-header}). The endpoints refer to these components by
 * the names in {@link ApiSchemas}.
 */
@OpenApiFilter(OpenApiFilter.RunStage.RUNTIME_STARTUP)
public class ApiDocumentFilter implements OASFilter {
    /** The header of the API key when {@code lrp.api.key-header} is not set (SidecarConfig's default). */
    static final String DEFAULT_KEY_HEADER = "X-API-Key";
    /** Fields of an explanation that its summary in listings repeats (and {@code contrastClass} when it has one). */
    private static final List<String> SUMMARY_FIELDS = List.of("eventId", "modelName", "modelVersion", "composite",
            "compositeHash", "targetClass", "targetSource", "predictedClass", "flags", "conservationError");

    @Override
    public void filterOpenAPI(OpenAPI api) {
        if (api.getComponents() == null) {
            api.components(OASFactory.createComponents());
        }
        Components components = api.getComponents();
        AvroSchemas avro = new AvroSchemas();
        avro.add(PredictionEvent.getClassSchema());
        avro.add(Explanation.getClassSchema());
        Map<String, Schema> avroComponents = avro.components();
        avroComponents.forEach(components::addSchema);
        Schema explanation = avroComponents.get(ApiSchemas.EXPLANATION);
        explanation.addProperty("tokenHeatmap", tokenHeatmap());
        components.addSchema(ApiSchemas.EXPLANATION_SUMMARY, summary(explanation));
        components.addSchema(ApiSchemas.EXPLANATION_SUMMARIES, OASFactory.createSchema().addType(SchemaType.ARRAY)
                .items(AvroSchemas.reference(ApiSchemas.EXPLANATION_SUMMARY)));
        components.addSchema(ApiSchemas.API_ERROR, apiError());
        components.addSecurityScheme(ApiSchemas.API_KEY_SCHEME, OASFactory.createSecurityScheme()
                .type(SecurityScheme.Type.APIKEY).in(SecurityScheme.In.HEADER).name(keyHeader())
                .description("The key of lrp.api.key; write endpoints (POST /explain, POST /replays, "
                        + "POST /models/{model}/attribution-profile/baseline) need it, except in the embedded demo mode without a configured key."));
        if (api.getPaths() != null && api.getPaths().getPathItems() != null) {
            api.getPaths().getPathItems().values().forEach(ApiDocumentFilter::addErrorAnswers);
        }
    }

    private static String keyHeader() {
        return ConfigProvider.getConfig().getOptionalValue("lrp.api.key-header", String.class)
                .orElse(DEFAULT_KEY_HEADER);
    }

    private static void addErrorAnswers(PathItem path) {
        for (Operation operation : path.getOperations().values()) {
            APIResponses responses = operation.getResponses() == null ? OASFactory.createAPIResponses()
                    : operation.getResponses();
            for (String range : List.of("4XX", "5XX")) {
                if (!responses.hasAPIResponse(range)) {
                    responses.addAPIResponse(range, OASFactory.createAPIResponse()
                            .description("An error: what was expected and what was found")
                            .content(OASFactory.createContent().addMediaType("application/json",
                                    OASFactory.createMediaType().schema(AvroSchemas.reference(ApiSchemas.API_ERROR)))));
                }
            }
            operation.responses(responses);
        }
    }

    private static Schema summary(Schema explanation) {
        Schema summary = OASFactory.createSchema().addType(SchemaType.OBJECT)
                .description("One explanation in a listing: who, what and how well, without the tensors.");
        for (String field : SUMMARY_FIELDS) {
            summary.addProperty(field, explanation.getProperties().get(field));
        }
        summary.addProperty("storedAt", OASFactory.createSchema().addType(SchemaType.STRING).format("date-time")
                .description("When this instance stored the explanation."));
        summary.required(List.copyOf(summary.getProperties().keySet()));
        summary.addProperty("contrastClass", explanation.getProperties().get("contrastClass"));
        return summary;
    }

    private static Schema tokenHeatmap() {
        Schema token = OASFactory.createSchema().addType(SchemaType.OBJECT)
                .addProperty("position", integer("int32"))
                .addProperty("id", integer("int64"))
                .addProperty("text", string())
                .addProperty("padding", OASFactory.createSchema().addType(SchemaType.BOOLEAN))
                .addProperty("relevance", OASFactory.createSchema().anyOf(List.of(
                        OASFactory.createSchema().addType(SchemaType.NUMBER),
                        OASFactory.createSchema().addType(SchemaType.STRING))))
                .addProperty("colour", OASFactory.createSchema().type(List.of(SchemaType.STRING, SchemaType.NULL))
                        .description("#rrggbb on the heatmap's diverging scale; null for padding"))
                .required(List.of("position", "id", "text", "padding", "relevance", "colour"));
        return OASFactory.createSchema().addType(SchemaType.OBJECT)
                .description("Token models only: each token's colour on the image heatmap's scale, and the colour "
                        + "bar from -max|R| to +max|R|.")
                .addProperty("scale", OASFactory.createSchema().anyOf(List.of(
                        OASFactory.createSchema().addType(SchemaType.NUMBER),
                        OASFactory.createSchema().addType(SchemaType.STRING))))
                .addProperty("tokens", OASFactory.createSchema().addType(SchemaType.ARRAY).items(token))
                .addProperty("colourBar", OASFactory.createSchema().addType(SchemaType.ARRAY).items(string()))
                .required(List.of("scale", "tokens", "colourBar"));
    }

    private static Schema apiError() {
        return OASFactory.createSchema().addType(SchemaType.OBJECT)
                .description("The body of every error answer.")
                .addProperty("status", integer("int32").description("The HTTP status"))
                .addProperty("reason", string().description("A stable word: bad-parameter, malformed-json, "
                        + "invalid-replay, bad-composite, not-found, unauthorized, rate-limited, ..."))
                .addProperty("message", string().description("What was expected and what was found"))
                .required(List.of("status", "reason", "message"));
    }

    private static Schema integer(String format) {
        return OASFactory.createSchema().addType(SchemaType.INTEGER).format(format);
    }

    private static Schema string() {
        return OASFactory.createSchema().addType(SchemaType.STRING);
    }
}
