package io.lrpsidecar.app.api;

import io.lrpsidecar.app.openapi.ApiSchemas;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

/**
 * Replays of flagged (or any) predictions through the same topology, into {@code explanations-replay}: start one
 * (checked before anything is read or published, {@link ReplayRequestValidator}), then follow its progress: selected,
 * explained, failed, the failures by reason with the first message of each, and the address of every explanation it
 * produced. The instance that started a replay knows it; any other asks the other instances.
 */
@Path("/replays")
@Produces(MediaType.APPLICATION_JSON)
public class ReplaysResource {
    private final ReplayService replays;
    private final Peers peers;

    public ReplaysResource(ReplayService replays, Peers peers) {
        this.replays = replays;
        this.peers = peers;
    }

    @POST
    @WriteEndpoint
    @Consumes(MediaType.APPLICATION_JSON)
    @SecurityRequirement(name = ApiSchemas.API_KEY_SCHEME)
    @APIResponse(responseCode = "202", description = "Started: its progress", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ReplayService.Progress.class)))
    public Response start(ReplayRequest request) {
        Replay replay = replays.start(request);
        return Response.accepted(replays.progress(replay.id()).orElseThrow())
                .location(URI.create("/replays/" + replay.id())).build();
    }

    @GET
    @Path("{id}")
    @APIResponse(responseCode = "200", description = "Its progress", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ReplayService.Progress.class)))
    public Response progress(@PathParam("id") String id,
            @Parameter(hidden = true) @QueryParam("local") String local) {
        boolean askOthers = !QueryParameters.bool("local", local);
        var progress = replays.progress(id);
        if (progress.isPresent()) {
            return Response.ok(progress.get()).build();
        }
        if (askOthers) {
            var known = peers.askOthers("/replays/" + URLEncoder.encode(id, StandardCharsets.UTF_8) + "?local=true")
                    .answered().stream().findFirst();
            if (known.isPresent()) {
                return Peers.relay(known.get());
            }
        }
        throw new ApiException(Response.Status.NOT_FOUND, "no running instance started replay '" + id + "' (replays "
                + "are known to the instance that started them, until it restarts)");
    }
}
