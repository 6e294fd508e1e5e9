package io.lrpsidecar.app.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lrpsidecar.app.ModelLoader;
import io.lrpsidecar.app.openapi.ApiSchemas;
import io.lrpsidecar.events.v1.PredictionEvent;
import io.lrpsidecar.stream.AvroJsonReader;
import io.lrpsidecar.stream.ModelRegistry;
import io.lrpsidecar.stream.ServedModel;
import io.lrpsidecar.stream.SingleEventExplainer;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Optional;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

/**
 * Synchronous explanation of one prediction event given as JSON (the form {@code GET /explanations/{id}} and
 * {@code lrp tail} print), with the composite (a name, spec or hash: {@link CompositeResolver}) and target optionally
 * overridden: for ad-hoc debugging. The same validation and size limits as the stream apply; the explanation is
 * returned, not published.
 */
@Path("/explain")
public class ExplainResource {
    private final SingleEventExplainer explainer;
    private final ModelRegistry registry;
    private final CompositeResolver composites;

    public ExplainResource(ModelLoader models) {
        this.registry = models.registry();
        this.explainer = new SingleEventExplainer(registry);
        this.composites = new CompositeResolver(registry);
    }

    @POST
    @WriteEndpoint
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @SecurityRequirement(name = ApiSchemas.API_KEY_SCHEME)
    @APIResponse(responseCode = "200", description = "The explanation (not published)", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, schema = @Schema(ref = ApiSchemas.EXPLANATION)))
    public ObjectNode explain(@RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(ref = ApiSchemas.PREDICTION_EVENT))) JsonNode body,
            @QueryParam("composite") String composite, @QueryParam("target") String targetParameter) {
        Optional<Integer> target = QueryParameters.optionalInteger("target", targetParameter, 0, Integer.MAX_VALUE);
        if (body == null || !body.isObject()) {
            throw new ApiException(Response.Status.BAD_REQUEST, "invalid-event", "expected a JSON PredictionEvent "
                    + "object, found " + (body == null ? "no body" : body.getNodeType().name().toLowerCase()));
        }
        PredictionEvent event;
        try {
            event = AvroJsonReader.read(body, PredictionEvent.getClassSchema(), PredictionEvent.class);
        } catch (IllegalArgumentException e) {
            throw new ApiException(Response.Status.BAD_REQUEST, "invalid-event", "not a valid PredictionEvent: "
                    + e.getMessage());
        }
        if (composite != null) {
            event.setComposite(specFor(event, composite));
        }
        target.ifPresent(event::setTargetClass);
        try {
            return ExplanationViews.full(explainer.explain(event));
        } catch (SingleEventExplainer.RejectedException e) {
            throw new ApiException(Response.Status.BAD_REQUEST, e.rejection().reason(), e.rejection().reason() + ": "
                    + e.rejection().message());
        }
    }

    /** The spec the event's model reads {@code composite} as (a hash becomes its spec); as given when unserved. */
    private String specFor(PredictionEvent event, String composite) {
        Optional<ServedModel> model = registry.find(event.getModelName(), event.getModelVersion());
        if (model.isEmpty()) {
            return composite;
        }
        try {
            return composites.specFor(model.get(), composite);
        } catch (IllegalArgumentException e) {
            throw CompositeResolver.refused(e.getMessage());
        }
    }
}
