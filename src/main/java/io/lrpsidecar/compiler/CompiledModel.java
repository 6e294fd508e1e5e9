package io.lrpsidecar.compiler;

import io.lrpsidecar.engine.InitMode;
import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.OnnxModelWriter;
import java.util.List;

/**
 * A compiled explainer: one ONNX graph with inputs {@code input} (batch), {@code target} (int64 {@code [batch]},
 * negative = the predicted class) and {@code contrast} (int64 {@code [batch]}: the class to explain the target
 * against, {@code -2} = the runner-up, any other negative = none; explainers compiled before it was added lack it)
 * and outputs {@code logits}, {@code relevance} (shaped like the input),
 * {@code ledger} and {@code ledger_out} ({@code [batch, layers]}: relevance entering and leaving each layer, in
 * topological order), plus any captured activations.
 *
 * @param graph     the explainer graph
 * @param layers    the ledger columns
 * @param composite the canonical composite spec it was compiled with
 * @param init      the initialisation it was compiled with
 * @param classes   the number of classes of the explained output
 */
public record CompiledModel(Graph graph, List<LedgerColumn> layers, String composite, InitMode init, int classes) {

    public static final String INPUT = "input";
    public static final String TARGET = "target";
    public static final String CONTRAST = "contrast";
    public static final String LOGITS = "logits";
    public static final String RELEVANCE = "relevance";
    public static final String LEDGER = "ledger";
    public static final String LEDGER_OUT = "ledger_out";
    /** Prefix of the outputs holding captured intermediate activations. */
    public static final String ACTIVATION_PREFIX = "activation:";

    public CompiledModel {
        layers = List.copyOf(layers);
    }

    /** Whether the graph takes the {@value #CONTRAST} input (explainers compiled before it was added do not). */
    public boolean takesContrast() {
        return graph.inputs().stream().anyMatch(input -> input.name().equals(CONTRAST));
    }

    /** The serialized ONNX model, runnable by any ONNX runtime. */
    public byte[] toOnnx() {
        return OnnxModelWriter.write(graph);
    }
}
