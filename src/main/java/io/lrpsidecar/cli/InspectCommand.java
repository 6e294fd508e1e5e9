package io.lrpsidecar.cli;

import io.lrpsidecar.engine.ExplainableModel;
import io.lrpsidecar.engine.op.Ops;
import io.lrpsidecar.engine.OperatorSupport;
import io.lrpsidecar.engine.composite.Composite;
import io.lrpsidecar.engine.composite.CompositeParser;
import io.lrpsidecar.engine.rule.Rule;
import io.lrpsidecar.graph.Graph;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.OnnxModelReader;
import io.lrpsidecar.graph.ShapeInference;
import io.lrpsidecar.graph.ValueInfo;
import io.lrpsidecar.npy.Npy;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code lrp inspect}: the model's signature, every node with the rule it gets, and what is unsupported. */
@Command(name = "inspect", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Show the model's input/output signature and every node with the rule the composite gives it.")
public class InspectCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "M.onnx", description = "The ONNX classifier.")
    Path model;

    @Option(names = "--composite", paramLabel = "NAME|SPEC", defaultValue = "epsilon-plus-flat",
            description = "The composite whose rules to show. Default: ${DEFAULT-VALUE}.")
    String composite;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Graph raw = OnnxModelReader.read(model);
        ExplainableModel.Canonical canonical = ExplainableModel.canonicalize(raw, true);
        Graph graph = canonical.graph();
        out.printf("model %s: opset %d, %d nodes as read, %d after canonicalization%n", model.getFileName(),
                raw.opsetVersion(), raw.nodes().size(), graph.nodes().size());
        raw.inputs().forEach(input -> out.println("input  " + describe(input)));
        raw.outputs().forEach(output -> out.println("output " + describe(output)));
        canonical.mergedBatchNorms().forEach((batchNorm, layer) ->
                out.printf("BatchNorm '%s' merged into '%s'%n", batchNorm, layer));
        canonical.fusions().forEach(fusion -> out.printf("fused %s: '%s' (%s) replaces %d nodes: %s%n",
                fusion.pattern(), fusion.node(), fusion.opType(), fusion.replaced().size(),
                fusion.replaced().stream().map(node -> node.name() + " (" + node.opType() + ")")
                        .collect(java.util.stream.Collectors.joining(", "))));
        List<String> problems = OperatorSupport.problems(graph);
        if (!problems.isEmpty()) {
            out.println("unsupported (" + problems.size() + "):");
            problems.forEach(problem -> out.println("  " + problem));
            out.println("supported: " + OperatorSupport.SUPPORTED);
            out.flush();
            return UserErrorHandler.BAD_INPUT;
        }
        ExplainableModel explainable = ExplainableModel.of(canonical, Optional.empty(), Optional.empty());
        Composite parsed = new CompositeParser(file -> Npy.read(Path.of(file)).tensor()).parse(composite);
        Map<String, Rule> rules = parsed.assign(explainable.views(parsed));
        Map<String, int[]> shapes = shapeAtBatchOne(graph);
        out.printf("explained output '%s'%s; composite %s%n", explainable.logits(),
                explainable.outputActivation().map(node -> " (input of the final " + node.opType() + ")").orElse(""),
                parsed.spec());
        if (explainable.mergesBatch()) {
            out.println("the batch is merged with another axis (as nn.MultiheadAttention folds the heads into it): "
                    + "both engines explain one row at a time, the compiled one in an ONNX Scan over the rows");
        }
        out.printf("%-28s %-18s %-10s %-20s %s%n", "node", "op", "kind", "output shape", "rule");
        for (Node node : graph.nodes()) {
            int[] shape = shapes.get(node.output());
            out.printf("%-28s %-18s %-10s %-20s %s%n", node.name(), node.opType(),
                    explainable.views().get(node.name()).kind().name().toLowerCase(Locale.ROOT),
                    shape == null ? "?" : Arrays.toString(shape), rules.get(node.name()).spec());
        }
        out.flush();
        return 0;
    }

    private static Map<String, int[]> shapeAtBatchOne(Graph graph) {
        try {
            return ShapeInference.infer(graph, 1, Ops::shapeRule);
        } catch (RuntimeException unknownDimensions) {
            return Map.of();
        }
    }

    private static String describe(ValueInfo value) {
        return "'" + value.name() + "' " + value.type().name().toLowerCase(Locale.ROOT) + " "
                + value.shape().stream().map(dim -> dim < 0 ? "N" : dim.toString()).toList();
    }
}
