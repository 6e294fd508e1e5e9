package io.lrpsidecar.stream;

import io.lrpsidecar.engine.Explanation;
import io.lrpsidecar.engine.composite.Composite;
import io.lrpsidecar.events.v1.FailedStage;
import io.lrpsidecar.events.v1.Flag;
import io.lrpsidecar.events.v1.PendingPrediction;
import io.lrpsidecar.events.v1.PredictionEvent;
import io.lrpsidecar.events.v1.SourcePosition;
import io.lrpsidecar.events.v1.TargetSource;
import io.lrpsidecar.runtime.CompiledExplainer;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Explains one prediction event outside the stream (the synchronous {@code POST /explain}): the same routing,
 * validation, target choice, explainer and record as the topology, so an ad-hoc explanation equals the streamed one.
 */
public final class SingleEventExplainer {
    /** The source position of an explanation made on request: no topic, partition or offset. */
    static final String REQUEST_SOURCE = "request";
    private final ModelRegistry registry;

    public SingleEventExplainer(ModelRegistry registry) {
        this.registry = registry;
    }

    /** The event could not be explained as given: the same reasons the stream dead-letters with. */
    public static final class RejectedException extends Exception {
        private final transient Rejection rejection;

        RejectedException(Rejection rejection) {
            super(rejection.message());
            this.rejection = rejection;
        }

        public Rejection rejection() {
            return rejection;
        }
    }

    public io.lrpsidecar.events.v1.Explanation explain(PredictionEvent event) throws RejectedException {
        ServedModel model = registry.find(event.getModelName(), event.getModelVersion()).orElseThrow(() ->
                new RejectedException(new Rejection(FailedStage.ROUTE, "unknown-model", "no model '"
                        + event.getModelName() + "' version '" + event.getModelVersion() + "' is served; served: "
                        + registry.all().stream().map(m -> m.name() + ":" + m.version()).toList())));
        Optional<Rejection> rejection = EventValidator.check(event, model);
        if (rejection.isPresent()) {
            throw new RejectedException(rejection.get());
        }
        Composite composite = model.composite(event.getComposite());
        int[] shape = new int[model.rowShape().size() + 1];
        shape[0] = 1;
        for (int axis = 0; axis < model.rowShape().size(); axis++) {
            shape[axis + 1] = model.rowShape().get(axis);
        }
        int[] requested = new int[1];
        TargetSource[] sources = new TargetSource[1];
        BatchProcessor.chooseTarget(event, model.settings().targetPolicy(), requested, sources, 0);
        long start = System.currentTimeMillis();
        long started = System.nanoTime();
        ServedModel.Run run = model.explain(composite, TensorCodec.rows(List.of(event.getInput()), shape,
                model.model().tokenInput()), BatchProcessor.target(model.settings(), List.of(event), requested));
        Explanation explained = run.explanation();
        double computeMs = (System.nanoTime() - started) / 1e6;
        double[] logits = Arrays.copyOf(explained.logits().doubles(), explained.logits().dim(1));
        List<Flag> flags = Flags.of(event, logits, ExplanationAssembler.argmax(logits),
                explained.conservationError(0), model.settings());
        PendingPrediction pending = PendingPrediction.newBuilder()
                .setSource(SourcePosition.newBuilder().setTopic(REQUEST_SOURCE).setPartition(-1).setOffset(-1L)
                        .build())
                .setArrivalTime(Instant.ofEpochMilli(start)).setRawValue(ByteBuffer.allocate(0)).build();
        return ExplanationAssembler.explanation(event, pending, explained, 0, sources[0], flags, model,
                new ExplanationAssembler.BatchFacts(composite.spec(), run.executionProvider(),
                        CompiledExplainer.runtimeVersions(), 1, computeMs, start));
    }
}
