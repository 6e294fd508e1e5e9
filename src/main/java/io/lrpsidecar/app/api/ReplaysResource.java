package io.lrpsidecar.app.api;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;

/**
 * Replays of flagged (or any) predictions through the same topology, into {@code explanations-replay}: start one,
 * then follow its progress (selected, explained, failed). Progress is known to the instance that started the replay.
 */
@Path("/replays")
@Produces(MediaType.APPLICATION_JSON)
public class ReplaysResource {
    private final ReplayService replays;

    public ReplaysResource(ReplayService replays) {
        this.replays = replays;
    }

    @POST
    @WriteEndpoint
    @Consumes(MediaType.APPLICATION_JSON)
    public Response start(ReplayRequest request) {
        Replay replay = replays.start(request);
        return Response.accepted(replays.progress(replay.id()).orElseThrow())
                .location(URI.create("/replays/" + replay.id())).build();
    }

    @GET
    @Path("{id}")
    public ReplayService.Progress progress(@PathParam("id") String id) {
        return replays.progress(id).orElseThrow(() -> new ApiException(Response.Status.NOT_FOUND, "no replay '" + id
                + "' was started on this instance"));
    }
}
