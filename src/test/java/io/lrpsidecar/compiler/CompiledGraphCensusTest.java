package io.lrpsidecar.compiler;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.lrpsidecar.ReferenceCase;
import io.lrpsidecar.engine.ExplainableModel;
import io.lrpsidecar.engine.InitMode;
import io.lrpsidecar.engine.composite.CompositeParser;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.testing.RandomModels;
import io.lrpsidecar.testing.RandomModels.InputKind;
import io.lrpsidecar.testing.RandomModels.Options;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The compiled explainer keeps its size: for each model (the reference cases {@code cnn_digits} and
 * {@code mlp_tabular}, and three random models with fixed seeds, one per input kind) and each of the 9 built-in
 * composites, the multiset of op types of the compiled graph equals the census stored in
 * {@code src/test/resources/census/<model>.txt}. A graph change (a missed fold, a lost common subexpression, an extra
 * {@code Identity}) therefore shows as a named difference, such as {@code epsilon: Add stored 7, now 9}.
 * <p>
 * The test never rewrites the census on its own. After a deliberate change of the compiled graph, run it once with
 * the system property {@code census.update=true}
 * ({@code mvn -B -o test -Dtest=CompiledGraphCensusTest -Dcensus.update=true}): it then writes the files from the
 * present code and fails, so that the new census is reviewed and committed with the change that caused it.
 * <p>
 * Gradient composites are compiled with {@link InitMode#ONEHOT}, the others with {@link InitMode#LOGIT}, as in
 * {@code CompiledPropertyTest}.
 */
class CompiledGraphCensusTest {
    /** The system property that makes the test rewrite the stored census instead of comparing with it. */
    static final String UPDATE_PROPERTY = "census.update";
    private static final Path CENSUS = Path.of("src", "test", "resources", "census");
    private static final List<String> COMPOSITES = List.of("epsilon", "zplus", "epsilon-plus", "epsilon-plus-flat",
            "epsilon-alpha2-beta1", "epsilon-alpha2-beta1-flat", "epsilon-gamma-box(low=-3,high=3)", "gradient",
            "gradient-x-input");
    private static final CompositeParser PARSER = new CompositeParser(file -> {
        throw new AssertionError("no files in these composites: " + file);
    });

    /** A census subject: a file name and how to load the model. */
    record Subject(String name, Supplier<ExplainableModel> model) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Subject> subjects() {
        List<Subject> subjects = new ArrayList<>();
        for (String model : ReferenceCase.MODELS) {
            subjects.add(new Subject(model,
                    () -> ExplainableModel.load(ReferenceCase.folder(model).resolve("model.onnx"))));
        }
        InputKind[] kinds = InputKind.values();
        for (int index = 0; index < kinds.length; index++) {
            long seed = 100 + index;
            InputKind kind = kinds[index];
            subjects.add(new Subject("random_" + kind.name().toLowerCase() + "_seed" + seed,
                    () -> RandomModels.build(new Random(seed), Options.everything(kind)).load()));
        }
        return subjects.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("subjects")
    void compiledGraphHasTheStoredOpTypes(Subject subject) throws IOException {
        ExplainableModel model = subject.model().get();
        Map<String, Map<String, Integer>> census = new LinkedHashMap<>();
        for (String spec : COMPOSITES) {
            InitMode init = spec.startsWith("gradient") ? InitMode.ONEHOT : InitMode.LOGIT;
            CompiledModel compiled = ExplainerCompiler.compile(model, PARSER.parse(spec), init);
            census.put(spec, opTypes(compiled.graph().nodes()));
        }
        Path file = CENSUS.resolve(subject.name() + ".txt");
        if (Boolean.getBoolean(UPDATE_PROPERTY)) {
            Files.createDirectories(CENSUS);
            Files.writeString(file, format(subject.name(), census), StandardCharsets.UTF_8);
            fail("wrote " + file + " because -D" + UPDATE_PROPERTY + "=true; review and commit it, then run without");
        }
        assertTrue(Files.isRegularFile(file), "expected a stored census " + file + "; found none (run once with -D"
                + UPDATE_PROPERTY + "=true to create it)");
        List<String> differences = differences(parse(Files.readString(file, StandardCharsets.UTF_8)), census);
        assertTrue(differences.isEmpty(), subject.name() + ": the compiled graph differs from " + file + ":\n  "
                + String.join("\n  ", differences));
    }

    private static Map<String, Integer> opTypes(List<Node> nodes) {
        Map<String, Integer> counts = new TreeMap<>();
        for (Node node : nodes) {
            String key = node.domain().isEmpty() ? node.opType() : node.domain() + ":" + node.opType();
            counts.merge(key, 1, Integer::sum);
        }
        return counts;
    }

    private static String format(String name, Map<String, Map<String, Integer>> census) {
        StringBuilder text = new StringBuilder("# op types of the compiled explainer of " + name
                + ", per composite (CompiledGraphCensusTest)\n");
        census.forEach((spec, counts) -> {
            text.append('[').append(spec).append("]\n");
            counts.forEach((opType, count) -> text.append(opType).append(' ').append(count).append('\n'));
        });
        return text.toString();
    }

    private static Map<String, Map<String, Integer>> parse(String text) {
        Map<String, Map<String, Integer>> census = new LinkedHashMap<>();
        Map<String, Integer> current = null;
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("[") && line.endsWith("]")) {
                current = new TreeMap<>();
                census.put(line.substring(1, line.length() - 1), current);
            } else {
                String[] parts = line.trim().split(" ");
                if (current == null || parts.length != 2) {
                    throw new IllegalArgumentException("expected '[composite]' or 'OpType count'; found '" + line
                            + "'");
                }
                current.put(parts[0], Integer.parseInt(parts[1]));
            }
        }
        return census;
    }

    private static List<String> differences(Map<String, Map<String, Integer>> stored,
            Map<String, Map<String, Integer>> now) {
        List<String> differences = new ArrayList<>();
        TreeSet<String> specs = new TreeSet<>(stored.keySet());
        specs.addAll(now.keySet());
        for (String spec : specs) {
            Map<String, Integer> before = stored.get(spec);
            Map<String, Integer> after = now.get(spec);
            if (before == null || after == null) {
                differences.add(spec + ": " + (before == null ? "not in the stored census" : "no longer compiled"));
                continue;
            }
            TreeSet<String> opTypes = new TreeSet<>(before.keySet());
            opTypes.addAll(after.keySet());
            for (String opType : opTypes) {
                int storedCount = before.getOrDefault(opType, 0);
                int count = after.getOrDefault(opType, 0);
                if (storedCount != count) {
                    differences.add(spec + ": " + opType + " stored " + storedCount + ", now " + count);
                }
            }
        }
        return differences;
    }
}
