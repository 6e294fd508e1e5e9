package io.lrpsidecar.stream;

import io.lrpsidecar.engine.Explanation;
import io.lrpsidecar.engine.InitMode;
import io.lrpsidecar.engine.Contrast;
import io.lrpsidecar.engine.Target;
import io.lrpsidecar.engine.composite.Composite;
import io.lrpsidecar.events.v1.ExplanationMetrics;
import io.lrpsidecar.events.v1.Faithfulness;
import io.lrpsidecar.events.v1.FailedStage;
import io.lrpsidecar.events.v1.Flag;
import io.lrpsidecar.events.v1.FlaggedPrediction;
import io.lrpsidecar.events.v1.PendingPrediction;
import io.lrpsidecar.events.v1.PredictionEvent;
import io.lrpsidecar.events.v1.TargetSource;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.runtime.CompiledExplainer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Micro-batches validated predictions per model in a changelogged state store and explains a model's batch when it
 * reaches {@code max-batch-size} or when its oldest event has waited {@code max-wait} (wall-clock punctuator),
 * whichever comes first. Nothing waits only in a Java field: after a crash the store is restored from its changelog,
 * and with exactly-once processing the explanations and the store deletions commit together. A batch that fails
 * {@code explain-attempts} times goes to the dead-letter topic event by event, with the reason; so does every event
 * whose stored bytes no longer decode, whose composite no longer applies, or whose outputs fail to serialise or exceed
 * the record size limit. Store keys hold the source topic and replay id besides partition and offset, so a live and
 * a replayed prediction at the same offset never overwrite each other.
 * <p>
 * After a batch is explained, the events its model samples for faithfulness ({@link FaithfulnessSampling}) get
 * MoRF/LeRF curves from one forward pass over all their perturbed rows; when that fails the explanations go out
 * without the field, and a counter and a log line say why.
 */
final class BatchProcessor implements Processor<String, PendingPrediction, Object, Object> {
    private static final Logger LOG = LoggerFactory.getLogger(BatchProcessor.class);
    private static final String SEPARATOR = "\u0001";

    private final ModelRegistry registry;
    private final TopologySettings settings;
    private final StreamMetrics metrics;
    private final AvroSerde<PredictionEvent> events;
    private final DeadLetters deadLetters;
    private final OutputEncoder outputs;
    private final StringSerializer prefixSerializer = new StringSerializer();
    private ProcessorContext<Object, Object> context;
    private KeyValueStore<String, PendingPrediction> store;
    /**
     * Per model prefix: how many events wait in the store and since when. Derived from the store (rebuilt in
     * {@link #init} after restoration), so that a batch is only read back when it is due.
     */
    private final Map<String, Waiting> waiting = new LinkedHashMap<>();
    private Map<String, String> runtimeVersions;
    private final DriftRecorder drift;

    /** The waiting events of one model. */
    private static final class Waiting {
        int count;
        long oldestArrivalMs = Long.MAX_VALUE;

        void add(long arrivalMs) {
            count++;
            oldestArrivalMs = Math.min(oldestArrivalMs, arrivalMs);
        }
    }

    /** A waiting event read back from the store, decoded again. */
    private record Pending(String key, PendingPrediction stored, PredictionEvent event) {
    }

    /** The key of a waiting event: its model's prefix, then where it came from. */
    static String storeKey(String prefix, PendingPrediction pending) {
        String replayId = pending.getReplayId() == null ? "" : pending.getReplayId();
        return prefix + pending.getSource().getTopic() + SEPARATOR + replayId + SEPARATOR
                + zeroPadded(pending.getSource().getPartition(), 10) + zeroPadded(pending.getSource().getOffset(), 20);
    }

    /** {@code String.format("%0<width>d", value)} without the formatter, which the per-event path cannot afford. */
    static String zeroPadded(long value, int width) {
        if (value < 0) {
            return String.format("%0" + width + "d", value);
        }
        String digits = Long.toString(value);
        return digits.length() >= width ? digits : "0".repeat(width - digits.length()) + digits;
    }

    BatchProcessor(ModelRegistry registry, TopologySettings settings, StreamMetrics metrics,
            AvroSerde<PredictionEvent> events, AttributionDrift drift) {
        this.registry = registry;
        this.drift = new DriftRecorder(drift);
        this.settings = settings;
        this.metrics = metrics;
        this.events = events;
        this.deadLetters = new DeadLetters(settings.maxRecordBytes());
        this.outputs = new OutputEncoder(settings.maxRecordBytes());
    }

    /** The store-key prefix of one model's waiting events. */
    static String modelPrefix(String name, String version) {
        return ModelRegistry.key(name, version) + SEPARATOR;
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
        this.store = context.getStateStore(ExplainTopology.STORE);
        if (!PendingChangelog.onlySurvivorsOfCommits(store)) {
            LOG.warn("the batching store {} takes no flush listener: every explained event leaves a tombstone in "
                    + "its changelog", ExplainTopology.STORE);
        }
        drift.init(context);
        try (KeyValueIterator<String, PendingPrediction> all = store.all()) {
            all.forEachRemaining(entry -> track(prefixOf(entry.key), entry.value));
        }
        context.schedule(settings.punctuateInterval(), PunctuationType.WALL_CLOCK_TIME, this::flushExpired);
    }

    private static String prefixOf(String key) {
        return key.substring(0, key.indexOf(SEPARATOR) + 1);
    }

    private Waiting track(String prefix, PendingPrediction pending) {
        Waiting entry = waiting.computeIfAbsent(prefix, ignored -> new Waiting());
        entry.add(pending.getArrivalTime().toEpochMilli());
        return entry;
    }

    /** The record key is the model prefix given by {@link ValidateProcessor}. */
    @Override
    public void process(Record<String, PendingPrediction> record) {
        PendingPrediction pending = record.value();
        String prefix = record.key();
        store.put(storeKey(prefix, pending), pending);
        Waiting entry = track(prefix, pending);
        model(prefix).ifPresent(model -> {
            if (entry.count >= model.settings().maxBatchSize()) {
                flushWaiting(prefix, model);
            }
        });
    }

    private java.util.Optional<ServedModel> model(String prefix) {
        String[] parts = prefix.substring(0, prefix.length() - 1).split("\u0000", 2);
        return registry.find(parts[0], parts[1]);
    }

    /** Explains every model's batch whose oldest event has waited at least its max-wait. */
    private void flushExpired(long now) {
        for (Map.Entry<String, Waiting> entry : List.copyOf(waiting.entrySet())) {
            String prefix = entry.getKey();
            var model = model(prefix);
            if (model.isEmpty()) {
                waiting.remove(prefix);
                read(prefix).forEach(pending -> deadLetter(pending, FailedStage.ROUTE, "unknown-model", "model '"
                        + prefix.substring(0, prefix.length() - 1).replace('\u0000', ':')
                        + "' is no longer served", "UnknownModel"));
            } else if (now - entry.getValue().oldestArrivalMs >= model.get().settings().maxWait().toMillis()) {
                flushWaiting(prefix, model.get());
            }
        }
    }

    /** Explains all waiting events of one model, in batches of at most max-batch-size. */
    private void flushWaiting(String prefix, ServedModel model) {
        List<Pending> entries = read(prefix);
        waiting.remove(prefix);
        int size = model.settings().maxBatchSize();
        for (int from = 0; from < entries.size(); from += size) {
            flush(model, entries.subList(from, Math.min(entries.size(), from + size)));
        }
    }

    /**
     * The waiting events of one model, decoded again; one whose stored bytes no longer decode (a changelog written by
     * another version, say) is dead-lettered here.
     */
    private List<Pending> read(String prefix) {
        List<KeyValue<String, PendingPrediction>> stored = new ArrayList<>();
        try (KeyValueIterator<String, PendingPrediction> iterator = store.prefixScan(prefix, prefixSerializer)) {
            iterator.forEachRemaining(stored::add);
        }
        List<Pending> entries = new ArrayList<>();
        for (KeyValue<String, PendingPrediction> entry : stored) {
            try {
                entries.add(new Pending(entry.key, entry.value, events.decode(bytes(entry.value.getRawValue()))));
            } catch (IOException | RuntimeException e) {
                deadLetter(new Pending(entry.key, entry.value, null), FailedStage.DECODE, "undecodable",
                        "a validated event no longer decodes: " + e.getMessage(), e.getClass().getName());
            }
        }
        return entries;
    }

    /**
     * Explains one model's waiting events, grouped by composite, and removes them from the store. An event whose
     * composite no longer applies, or a group whose handling fails unexpectedly, is dead-lettered, never rethrown.
     */
    private void flush(ServedModel model, List<Pending> entries) {
        Map<String, List<Pending>> byComposite = new LinkedHashMap<>();
        Map<String, Composite> composites = new LinkedHashMap<>();
        for (Pending entry : entries) {
            try {
                Composite composite = model.composite(entry.event().getComposite());
                composites.putIfAbsent(composite.spec(), composite);
                byComposite.computeIfAbsent(composite.spec(), spec -> new ArrayList<>()).add(entry);
            } catch (RuntimeException e) {
                deadLetter(entry, FailedStage.VALIDATE, "bad-composite", e.getMessage(), e.getClass().getName());
            }
        }
        byComposite.forEach((spec, group) -> {
            try {
                explainGroup(model, composites.get(spec), group);
            } catch (Throwable e) {
                String message = "explaining a batch of " + group.size() + " failed: " + e;
                group.forEach(entry -> deadLetter(entry, FailedStage.EXPLAIN, "internal-error", message,
                        e.getClass().getName()));
            }
        });
        entries.forEach(entry -> store.delete(entry.key()));
    }

    private void explainGroup(ServedModel model, Composite composite, List<Pending> group) {
        int rows = group.size();
        List<Integer> rowShape = model.rowShape();
        int[] shape = new int[rowShape.size() + 1];
        shape[0] = rows;
        for (int axis = 0; axis < rowShape.size(); axis++) {
            shape[axis + 1] = rowShape.get(axis);
        }
        int[] requested = new int[rows];
        TargetSource[] sources = new TargetSource[rows];
        for (int row = 0; row < rows; row++) {
            chooseTarget(group.get(row).event(), model.settings().targetPolicy(), requested, sources, row);
        }
        Tensor input = TensorCodec.rows(group.stream().map(entry -> entry.event().getInput()).toList(), shape,
                model.model().tokenInput());
        long start = context.currentSystemTimeMs();
        RuntimeException failure = null;
        for (int attempt = 1; attempt <= settings.explainAttempts(); attempt++) {
            try {
                long started = System.nanoTime();
                ServedModel.Run run = model.explain(composite, input, target(model.settings(),
                        group.stream().map(Pending::event).toList(), requested));
                double computeMs = (System.nanoTime() - started) / 1e6;
                if (runtimeVersions == null) {
                    runtimeVersions = CompiledExplainer.runtimeVersions();
                }
                Map<Integer, Faithfulness> faithfulness = faithfulness(model, composite, group, input,
                        run.explanation());
                emit(model, group, run.explanation(), sources, new ExplanationAssembler.BatchFacts(composite.spec(),
                        run.executionProvider(), runtimeVersions, rows, computeMs, start), faithfulness,
                        composite.spec().equals(model.composite(null).spec()));
                metrics.batch(model.name(), model.version(), CompositeHash.of(composite.spec()), rows,
                        computeMs);
                return;
            } catch (RuntimeException e) {
                failure = e;
            }
        }
        String message = "explaining a batch of " + rows + " failed " + settings.explainAttempts() + " times: "
                + failure.getMessage();
        String errorClass = failure.getClass().getName();
        group.forEach(entry -> deadLetter(entry, FailedStage.EXPLAIN, "explainer-failed", message, errorClass));
    }

    /**
     * The target of a batch: each row's requested class (or the predicted one), contrasted where the event names a
     * contrast class or the model has a contrast setting (the event's wins); plain when no row is contrasted.
     */
    static Target target(ModelSettings settings, List<PredictionEvent> events, int[] requested) {
        Target chosen = new Target.PerRowOrPredicted(requested);
        int[] contrasts = new int[events.size()];
        boolean any = false;
        for (int row = 0; row < contrasts.length; row++) {
            contrasts[row] = chooseContrast(events.get(row), settings);
            any |= contrasts[row] != Contrast.NONE;
        }
        return any ? new Target.Contrastive(chosen, new Contrast.PerRow(contrasts)) : chosen;
    }

    /** The coded contrast of one event ({@link Contrast#requested}): its own class, else the model's, else none. */
    private static int chooseContrast(PredictionEvent event, ModelSettings settings) {
        if (event.getContrastClass() != null) {
            return event.getContrastClass();
        }
        return settings.contrast().map(contrast -> contrast instanceof Contrast.Fixed fixed ? fixed.classIndex()
                : Contrast.RUNNER_UP).orElse(Contrast.NONE);
    }

    /**
     * The faithfulness of the group's sampled events, by row; empty when none is sampled, and when measuring fails
     * (counted by reason and logged: the explanations go out without it).
     */
    private Map<Integer, Faithfulness> faithfulness(ServedModel model, Composite composite, List<Pending> group,
            Tensor input, Explanation explanation) {
        FaithfulnessSampling sampling = model.settings().faithfulness();
        List<Integer> sampled = new ArrayList<>();
        for (int row = 0; row < group.size(); row++) {
            if (!explanation.contrastive(row) && sampling.sampled(group.get(row).event().getEventId().toString())) {
                sampled.add(row);
            }
        }
        if (sampled.isEmpty()) {
            return Map.of();
        }
        try {
            return SampledFaithfulness.measure(model.forward().orElseThrow(), sampling, input, composite, explanation,
                    sampled);
        } catch (RuntimeException e) {
            metrics.faithfulnessFailed(model.name(), e);
            LOG.warn("faithfulness of {} sampled events of model {} was not measured, their explanations go out "
                    + "without it: {}", sampled.size(), model.name(), e.toString());
            return Map.of();
        }
    }

    static void chooseTarget(PredictionEvent event, TargetPolicy policy, int[] requested,
            TargetSource[] sources, int row) {
        if (event.getTargetClass() != null) {
            requested[row] = event.getTargetClass();
            sources[row] = TargetSource.REQUESTED;
        } else if (policy == TargetPolicy.REPORTED) {
            requested[row] = event.getReportedClass();
            sources[row] = TargetSource.REPORTED;
        } else if (policy == TargetPolicy.LABEL && event.getLabel() != null) {
            requested[row] = event.getLabel();
            sources[row] = TargetSource.LABEL;
        } else {
            requested[row] = -1;
            sources[row] = TargetSource.PREDICTED;
        }
    }

    /**
     * Assembles and encodes each row's outputs, then sends them; a row whose outputs fail to assemble or encode, or
     * exceed the record size limit, is dead-lettered instead, and nothing of it is sent.
     */
    private void emit(ServedModel model, List<Pending> group, Explanation batch, TargetSource[] sources,
            ExplanationAssembler.BatchFacts facts, Map<Integer, Faithfulness> faithfulness,
            boolean defaultComposite) {
        int classes = batch.logits().dim(1);
        for (int row = 0; row < group.size(); row++) {
            Pending pending = group.get(row);
            PredictionEvent event = pending.event();
            long timestamp = context.currentSystemTimeMs();
            String replayId = pending.stored().getReplayId();
            io.lrpsidecar.events.v1.Explanation explanation;
            List<OutputEncoder.Output> encoded;
            try {
                double[] logits = Arrays.copyOfRange(batch.logits().doubles(), row * classes, (row + 1) * classes);
                List<Flag> flags = Flags.of(event, logits, ExplanationAssembler.argmax(logits),
                        batch.conservationError(row), model.settings());
                explanation = ExplanationAssembler.explanation(event, pending.stored(), batch, row, sources[row],
                        flags, model, facts);
                explanation.setFaithfulness(faithfulness.get(row));
                encoded = replayId != null ? List.of(outputs.explanation(ExplainTopology.EXPLANATIONS_REPLAY,
                        explanation)) : liveOutputs(pending, explanation, flags, facts.compositeSpec());
            } catch (OutputEncoder.OutputTooLargeException e) {
                deadLetter(pending, FailedStage.EXPLAIN, "output-too-large", e.getMessage(), e.getClass().getName());
                continue;
            } catch (Throwable e) {
                // any throwable: the rows before this one are sent already, so nothing may reach flush's catch
                deadLetter(pending, FailedStage.EXPLAIN, "output-failed", "assembling or serialising the outputs "
                        + "failed: " + e, e.getClass().getName());
                continue;
            }
            for (OutputEncoder.Output output : encoded) {
                context.forward(new Record<>(output.key(), output.value(), timestamp, ReplayHeader.with(replayId)),
                        output.sink());
            }
            if (replayId == null) {
                metrics.explained(explanation, timestamp, event.getEventTime().toEpochMilli());
                if (explanation.getFaithfulness() != null) {
                    metrics.faithfulness(model.name(), defaultComposite ? explanation.getCompositeHash()
                            : StreamMetrics.OVERRIDE, explanation.getFaithfulness().getAbpc());
                }
                drift.gather(model.name(), relevanceRow(batch, row), model.model().tokenInput()
                        ? TensorCodec.longs(event.getInput()) : null);
            }
        }
        drift.commit();
    }

    private static double[] relevanceRow(Explanation batch, int row) {
        int width = batch.relevance().size() / batch.rows();
        return Arrays.copyOfRange(batch.relevance().doubles(), row * width, (row + 1) * width);
    }

    @Override
    public void close() {
        drift.close();
    }

    /** A live prediction's explanation, its metrics record and, when flagged, the prediction for replay. */
    private List<OutputEncoder.Output> liveOutputs(Pending pending, io.lrpsidecar.events.v1.Explanation explanation,
            List<Flag> flags, String compositeSpec) {
        PredictionEvent event = pending.event();
        List<OutputEncoder.Output> encoded = new ArrayList<>();
        encoded.add(outputs.explanation(ExplainTopology.EXPLANATIONS, explanation));
        ExplanationMetrics figures = ExplanationAssembler.metrics(explanation, event);
        encoded.add(outputs.metrics(figures));
        if (!flags.isEmpty()) {
            encoded.add(outputs.flagged(FlaggedPrediction.newBuilder().setEvent(event).setFlags(flags)
                    .setComposite(compositeSpec).setSource(pending.stored().getSource()).build()));
        }
        return encoded;
    }

    private void deadLetter(Pending entry, FailedStage stage, String reason, String message, String errorClass) {
        PendingPrediction pending = entry.stored();
        DeadLetters.Letter letter = deadLetters.of(bytes(pending.getRawKey()), bytes(pending.getRawValue()), null,
                pending.getSource(), new Rejection(stage, reason, message), errorClass,
                context.currentSystemTimeMs());
        metrics.deadLettered(letter.letter());
        context.forward(new Record<>(letter.kafkaKey(), letter.letter(), context.currentSystemTimeMs(),
                ReplayHeader.with(pending.getReplayId())), ExplainTopology.DEAD_LETTERS);
        store.delete(entry.key());
    }

    private static byte[] bytes(ByteBuffer buffer) {
        if (buffer == null) {
            return null;
        }
        ByteBuffer copy = buffer.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return bytes;
    }
}
