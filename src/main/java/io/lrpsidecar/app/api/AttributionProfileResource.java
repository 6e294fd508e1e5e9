package io.lrpsidecar.app.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.lrpsidecar.app.openapi.ApiSchemas;
import io.lrpsidecar.drift.ProfileLayout;
import io.lrpsidecar.stream.AttributionDrift;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

/**
 * A model's attribution profiles (docs/drift.md): where the evidence of its live explanations goes now and in the
 * baseline, merged over the input partitions of every instance (each keeps the share of the partitions whose tasks it
 * runs, and the others are asked with {@code local=true}); and the pin that makes the current window the baseline.
 */
@Path("/models/{model}/attribution-profile")
@Produces(MediaType.APPLICATION_JSON)
public class AttributionProfileResource {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final AttributionDrift drift;
    private final Peers peers;
    private final BaselinePins pins;

    public AttributionProfileResource(AttributionDrift drift, Peers peers, BaselinePins pins) {
        this.drift = drift;
        this.peers = peers;
        this.pins = pins;
    }

    @GET
    @APIResponse(responseCode = "200", description = "The baseline and current profiles and their drift",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = AttributionProfileView.class)))
    @APIResponse(responseCode = "404", description = "The model is not served", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiError.class)))
    public AttributionProfileView profile(@PathParam("model") String model,
            @Parameter(hidden = true) @QueryParam("local") String local) {
        ProfileLayout layout = layout(model);
        List<AttributionProfileView.Share> shares = new ArrayList<>(drift.localShares(model).stream()
                .map(AttributionProfileView.Share::of).toList());
        List<String> unanswered = List.of();
        if (!QueryParameters.bool("local", local)) {
            Peers.Answers answers = peers.askOthers("/models/" + URLEncoder.encode(model, StandardCharsets.UTF_8)
                    .replace("+", "%20") + "/attribution-profile?local=true");
            answers.answered().forEach(answer -> shares.addAll(sharesOf(answer.body())));
            unanswered = answers.unanswered();
        }
        return AttributionProfileView.of(model, layout, shares, unanswered);
    }

    @POST
    @Path("baseline")
    @WriteEndpoint
    @SecurityRequirement(name = ApiSchemas.API_KEY_SCHEME)
    @APIResponse(responseCode = "202", description = "The pin is published to every partition; each task applies "
            + "it to its share when it reads it", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = BaselinePins.Pin.class)))
    @APIResponse(responseCode = "404", description = "The model is not served", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiError.class)))
    public Response pin(@PathParam("model") String model) {
        layout(model);
        return Response.accepted(pins.pin(model)).location(URI.create("/models/"
                + URLEncoder.encode(model, StandardCharsets.UTF_8).replace("+", "%20") + "/attribution-profile"))
                .build();
    }

    private ProfileLayout layout(String model) {
        return drift.layout(model).orElseThrow(() -> new ApiException(Response.Status.NOT_FOUND, "expected a served "
                + "model, found '" + model + "'; served models: " + String.join(", ", drift.models())));
    }

    private static List<AttributionProfileView.Share> sharesOf(byte[] body) {
        try {
            return List.of(MAPPER.treeToValue(MAPPER.readTree(body).required("shares"),
                    AttributionProfileView.Share[].class));
        } catch (IOException | IllegalArgumentException e) {
            throw new ApiException(Response.Status.BAD_GATEWAY, "expected an attribution profile from another "
                    + "instance: " + e.getMessage());
        }
    }
}
