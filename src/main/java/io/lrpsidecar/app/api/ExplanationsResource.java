package io.lrpsidecar.app.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lrpsidecar.app.ModelLoader;
import io.lrpsidecar.app.SidecarConfig;
import io.lrpsidecar.app.openapi.ApiSchemas;
import io.lrpsidecar.events.v1.Explanation;
import io.lrpsidecar.events.v1.FeatureRelevance;
import io.lrpsidecar.events.v1.Flag;
import io.lrpsidecar.render.FeatureBars;
import io.lrpsidecar.render.Heatmap;
import io.lrpsidecar.render.Png;
import io.lrpsidecar.stream.AvroJson;
import io.lrpsidecar.stream.ModelRegistry;
import io.lrpsidecar.stream.RecentExplanations;
import io.lrpsidecar.stream.TensorCodec;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * Recent explanations: by event id, as a heatmap or feature bars, every explanation of one event, and the newest ones.
 * An event's explanations are kept by the instance that owns its key; other instances forward the request there.
 *
 * <p>An event has its original explanation (the one its live prediction got) and any replayed ones. Without
 * {@code ?composite=} an event's explanation is the original (the newest replayed one only when no original is kept);
 * {@code ?composite=} selects by a composite name, spec or hash ({@link CompositeResolver}), the original first;
 * {@code ?origin=original} or {@code ?origin=replay} chooses between the two. The header {@code X-Lrp-Origin} says
 * which was answered. A tabular model's explanation is also served as the regulator's report ({@link RegulatorReport}).
 * {@code GET /explanations/{id}/input} answers the source event's input, read back from its
 * topic; {@code ?tensors=base64} gives tensors as base64 bytes instead of number lists.
 */
@Path("/explanations")
public class ExplanationsResource {
    /** Explanations one listing returns when no limit is given. */
    private static final int DEFAULT_LIMIT = 50;
    /** The most input values {@code GET /explanations/{id}/input} answers: a 3-channel 512x512 image. */
    static final int MAX_INPUT_VALUES = 3 * 512 * 512;
    private final RecentExplanations recent;
    private final Peers peers;
    private final SourceEvents sources;
    private final int maxLimit;
    private final CompositeResolver composites;
    private final ModelRegistry models;

    public ExplanationsResource(KafkaStreams streams, Peers peers, SourceEvents sources, SidecarConfig config,
            ModelLoader models) {
        this.recent = new RecentExplanations(streams, config.topics().explanations());
        this.peers = peers;
        this.sources = sources;
        this.maxLimit = config.api().maxLimit();
        this.composites = new CompositeResolver(models.registry());
        this.models = models.registry();
    }

    /** The explanation of an event: the original, or the one with the composite named (by name, spec or hash). */
    @GET
    @Path("{eventId}")
    @Produces(MediaType.APPLICATION_JSON)
    @APIResponse(responseCode = "200", description = "The explanation", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, schema = @Schema(ref = ApiSchemas.EXPLANATION)))
    public Response byId(@PathParam("eventId") String eventId, @QueryParam("composite") String composite,
            @QueryParam("origin") String originParameter, @QueryParam("tensors") String tensors,
            @Parameter(hidden = true) @QueryParam("local") String local) {
        Optional<Origin> origin = Origin.of(originParameter);
        boolean base64 = ExplanationViews.base64Tensors(tensors);
        String query = Origin.query(origin) + (base64 ? "&tensors=base64" : "");
        return ownedBy(eventId, QueryParameters.bool("local", local), "", composite, query, () -> {
            RecentExplanations.Stored found = find(eventId, composite, origin);
            ObjectNode view = ExplanationViews.full(found.explanation(), base64);
            models.find(found.explanation().getModelName(), found.explanation().getModelVersion()).ifPresent(
                    model -> view.put("conservationThreshold", model.settings().conservationThreshold()));
            return Response.ok(view).header(Origin.HEADER, Origin.of(found).word()).build();
        });
    }

    /**
     * The input of the event an explanation came from, read back from its topic, as {@code {dtype, shape, values}}
     * (at most {@link #MAX_INPUT_VALUES} values; {@code ?tensors=base64} for {@code {dtype, shape, data}}); the web
     * view draws it beside the heatmap.
     */
    @GET
    @Path("{eventId}/input")
    @Produces(MediaType.APPLICATION_JSON)
    public Response input(@PathParam("eventId") String eventId, @QueryParam("composite") String composite,
            @QueryParam("origin") String originParameter, @QueryParam("tensors") String tensors,
            @Parameter(hidden = true) @QueryParam("local") String local) {
        Optional<Origin> origin = Origin.of(originParameter);
        boolean base64 = ExplanationViews.base64Tensors(tensors);
        boolean localOnly = QueryParameters.bool("local", local);
        String query = Origin.query(origin) + (base64 ? "&tensors=base64" : "");
        return ownedBy(eventId, localOnly, "/input", composite, query, () -> {
            RecentExplanations.Stored found = find(eventId, composite, origin);
            io.lrpsidecar.events.v1.Tensor input = sourceInput(found.explanation());
            long values = input.getData().remaining() / TensorCodec.elementSize(input.getDtype());
            if (values > MAX_INPUT_VALUES) {
                throw new ApiException(Response.Status.CONFLICT, "expected an input of at most " + MAX_INPUT_VALUES
                        + " values (3 x 512 x 512) to answer as JSON, found " + values + " of shape "
                        + input.getShape() + "; read it from " + found.explanation().getSource().getTopic());
            }
            return Response.ok(base64 ? ExplanationViews.base64(input) : AvroJson.toJson(input))
                    .header(Origin.HEADER, Origin.of(found).word()).build();
        });
    }

    /**
     * The regulator's report of a tabular model's explanation ({@link RegulatorReport}): JSON, or a print-ready HTML
     * page when the client prefers {@code text/html} (a browser) or asks {@code ?format=html}; {@code ?composite=} and
     * {@code ?origin=} select the explanation as for {@link #byId}. 409 for an image or token model.
     */
    @GET
    @Path("{eventId}/report")
    @Produces({MediaType.APPLICATION_JSON, MediaType.TEXT_HTML})
    public Response report(@PathParam("eventId") String eventId, @QueryParam("composite") String composite,
            @QueryParam("origin") String originParameter, @QueryParam("format") String formatParameter,
            @Parameter(hidden = true) @QueryParam("local") String local, @Context HttpHeaders headers) {
        Optional<Origin> origin = Origin.of(originParameter);
        boolean html = ReportFormat.html(formatParameter, headers.getAcceptableMediaTypes());
        String query = "&format=" + (html ? "html" : "json") + Origin.query(origin);
        return ownedBy(eventId, QueryParameters.bool("local", local), "/report", composite, query, () -> {
            RecentExplanations.Stored found = find(eventId, composite, origin);
            RegulatorReport report = RegulatorReport.of(found, decidedAt(found.explanation()));
            Response.ResponseBuilder answer = html
                    ? Response.ok(ReportPage.render(report), MediaType.TEXT_HTML_TYPE.withCharset("UTF-8"))
                    : Response.ok(report, MediaType.APPLICATION_JSON_TYPE);
            return answer.header(Origin.HEADER, report.origin()).build();
        });
    }

    /** When the explained prediction was made: its event's time, read back from its topic while it is kept there. */
    private Optional<java.time.Instant> decidedAt(io.lrpsidecar.events.v1.Explanation explanation) {
        try {
            return sources.at(explanation.getSource()).map(io.lrpsidecar.events.v1.PredictionEvent::getEventTime);
        } catch (ApiException notReadable) {
            return Optional.empty();
        }
    }

    /**
     * Every explanation kept of an event: the original first, then the replayed ones, newest first; each with its
     * composite, hash, the time it was stored, whether it is the original, and its addresses.
     */
    @GET
    @Path("{eventId}/composites")
    @Produces(MediaType.APPLICATION_JSON)
    public Response composites(@PathParam("eventId") String eventId,
            @Parameter(hidden = true) @QueryParam("local") String local) {
        return ownedBy(eventId, QueryParameters.bool("local", local), "/composites", null, "", () -> {
            List<RecentExplanations.Stored> kept = new ArrayList<>(recent.byEventId(eventId));
            if (kept.isEmpty()) {
                throw notKept(eventId, null);
            }
            kept.sort(Comparator.comparing(RecentExplanations.Stored::replayed));
            return Response.ok(kept.stream().map(ExplanationViews::listed).toList()).build();
        });
    }

    /**
     * The relevance as a picture: a heatmap for image inputs (optionally over the input, enlarged {@code scale}
     * times), bars of the top features for tabular inputs.
     */
    @GET
    @Path("{eventId}/heatmap.png")
    @Produces("image/png")
    @APIResponse(responseCode = "200", description = "A PNG image", content = @Content(mediaType = "image/png",
            schema = @Schema(type = SchemaType.STRING, format = "binary")))
    public Response heatmap(@PathParam("eventId") String eventId, @QueryParam("composite") String composite,
            @QueryParam("origin") String originParameter, @QueryParam("overlay") String overlayParameter,
            @QueryParam("scale") String scaleParameter,
            @Parameter(hidden = true) @QueryParam("local") String local) {
        boolean overlay = QueryParameters.bool("overlay", overlayParameter);
        int scale = QueryParameters.integer("scale", scaleParameter, 1, 1, Heatmap.MAX_SCALE);
        Optional<Origin> origin = Origin.of(originParameter);
        String query = "&overlay=" + overlay + "&scale=" + scale + Origin.query(origin);
        return ownedBy(eventId, QueryParameters.bool("local", local), "/heatmap.png", composite, query, () -> {
            RecentExplanations.Stored found = find(eventId, composite, origin);
            return Response.ok(Png.encode(picture(found.explanation(), overlay, scale)), "image/png")
                    .header(Origin.HEADER, Origin.of(found).word()).build();
        });
    }

    /**
     * The newest explanations (summaries), of one model and with one flag when given, from every instance. Instances
     * that do not answer are named in the header {@code X-Lrp-Unanswered}, and the list is what the others keep.
     */
    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @APIResponse(responseCode = "200", description = "Summaries, newest first", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, schema = @Schema(ref = ApiSchemas.EXPLANATION_SUMMARIES)))
    public Response newest(@QueryParam("model") String model, @QueryParam("flag") String flag,
            @QueryParam("limit") String limitParameter,
            @Parameter(hidden = true) @QueryParam("local") String localParameter) {
        int limit = QueryParameters.integer("limit", limitParameter, Math.min(DEFAULT_LIMIT, maxLimit), 1, maxLimit);
        boolean local = QueryParameters.bool("local", localParameter);
        Optional<Flag> wanted = Optional.ofNullable(flag).map(ExplanationsResource::flag);
        List<RecentExplanations.Stored> found = new ArrayList<>(recent.newest(Optional.ofNullable(model), wanted,
                limit));
        List<ObjectNode> summaries = new ArrayList<>(found.stream().map(ExplanationViews::summary).toList());
        List<String> unanswered = List.of();
        if (!local) {
            Peers.Answers answers = peers.askOthers("/explanations?local=true&limit=" + limit + (model == null ? ""
                    : "&model=" + encode(model)) + (flag == null ? "" : "&flag=" + encode(flag)));
            answers.answered().forEach(answer -> summaries.addAll(Json.readSummaries(answer.body())));
            unanswered = answers.unanswered();
            summaries.sort(Comparator.comparing((ObjectNode node) -> node.get("storedAt").asText()).reversed());
        }
        Response.ResponseBuilder answer = Response.ok(summaries.size() > limit
                ? List.copyOf(summaries.subList(0, limit)) : summaries);
        if (!unanswered.isEmpty()) {
            answer.header("X-Lrp-Unanswered", String.join(",", unanswered));
        }
        return answer.build();
    }

    /**
     * The local answer, or the owning instance's to the same request ({@code suffix} after the event id,
     * {@code query} after the composite) when another instance keeps the event.
     */
    private Response ownedBy(String eventId, boolean local, String suffix, String composite, String query,
            Supplier<Response> answer) {
        if (!local) {
            KeyQueryMetadata owner = recent.owner(eventId);
            if (owner != null && owner.activeHost() != null && owner.activeHost().port() > 0
                    && !recent.isLocal(owner)) {
                return Peers.relay(peers.get(owner.activeHost(), "/explanations/" + encode(eventId) + suffix
                        + "?local=true" + (composite == null ? "" : "&composite=" + encode(composite))
                        + query));
            }
        }
        return answer.get();
    }

    /**
     * The explanation of an event with the composite named (any when null), of the origin asked for; without an
     * origin the original, else the newest replayed one.
     */
    private RecentExplanations.Stored find(String eventId, String composite, Optional<Origin> origin) {
        List<RecentExplanations.Stored> kept = recent.byEventId(eventId);
        List<RecentExplanations.Stored> candidates = composite == null ? kept : composites.select(composite, kept);
        return candidates.stream()
                .filter(stored -> origin.map(wanted -> Origin.of(stored) == wanted).orElse(true))
                .min(Comparator.comparing(RecentExplanations.Stored::replayed))
                .orElseThrow(() -> notKept(eventId, composite == null ? origin.map(wanted -> wanted.word()
                        + " explanation").orElse(null) : "composite '" + composite + "'" + origin.map(wanted -> " ("
                        + wanted.word() + ")").orElse("")));
    }

    private static ApiException notKept(String eventId, String what) {
        return new ApiException(Response.Status.NOT_FOUND, "no explanation of event '" + eventId + "'"
                + (what == null ? "" : " with " + what) + " is kept (unknown event, not explained yet, or older "
                + "than the retention)");
    }

    private java.awt.image.BufferedImage picture(Explanation explanation, boolean overlay, int scale) {
        List<Long> shape = explanation.getRelevance().getShape();
        List<Long> rowShape = shape.size() > 1 && shape.get(0) == 1 ? shape.subList(1, shape.size()) : shape;
        if (!Heatmap.isImage(rowShape)) {
            if (overlay) {
                throw new ApiException(Response.Status.BAD_REQUEST, "expected an image model for overlay=true, "
                        + "found input shape " + rowShape + " (tabular: drawn as feature bars)");
            }
            List<FeatureBars.Bar> bars = explanation.getTopFeatures().stream().map(ExplanationsResource::bar)
                    .toList();
            return FeatureBars.draw(bars, scale);
        }
        double[] relevance = TensorCodec.values(explanation.getRelevance());
        Optional<double[]> input = Optional.empty();
        if (overlay) {
            input = Optional.of(TensorCodec.values(sourceInput(explanation)));
            if (input.get().length != relevance.length) {
                throw new ApiException(Response.Status.CONFLICT, "expected the source event's input to have "
                        + relevance.length + " values, found " + input.get().length + ": " + Arrays.toString(
                        rowShape.toArray()));
            }
        }
        return Heatmap.draw(relevance, rowShape, input, scale);
    }

    /** The input of the source event of an explanation, read back from its topic. */
    private io.lrpsidecar.events.v1.Tensor sourceInput(Explanation explanation) {
        return sources.at(explanation.getSource()).map(event -> event.getInput())
                .orElseThrow(() -> new ApiException(Response.Status.GONE, "the input of event '"
                        + explanation.getEventId() + "' is no longer in " + explanation.getSource().getTopic()
                        + " (retention); draw it without overlay"));
    }

    private static FeatureBars.Bar bar(FeatureRelevance feature) {
        String label = feature.getName() != null ? feature.getName() : "feature " + feature.getIndex();
        return new FeatureBars.Bar(label, feature.getRelevance());
    }

    private static Flag flag(String name) {
        try {
            return Flag.valueOf(name);
        } catch (IllegalArgumentException e) {
            throw new ApiException(Response.Status.BAD_REQUEST, "bad-parameter", "expected query parameter flag "
                    + "to be one of " + Arrays.toString(Flag.values()) + ", found '" + name + "'");
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
