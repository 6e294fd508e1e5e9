package io.lrpsidecar;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import org.junit.jupiter.api.Test;

/** Keeps the layering of the design: the engine and the graph model stay pure Java. */
class ArchitectureTest {
    private static final JavaClasses PRODUCTION = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.lrpsidecar");

    private static void assertNoViolation(ArchRule rule) {
        EvaluationResult result = rule.evaluate(PRODUCTION);
        assertFalse(result.hasViolation(), result.getFailureReport().toString());
    }

    @Test
    void engineHasNoKafkaQuarkusOrOnnxRuntimeImports() {
        assertNoViolation(noClasses().that().resideInAPackage("io.lrpsidecar.engine..")
                .should().dependOnClassesThat().resideInAnyPackage("org.apache.kafka..", "io.quarkus..",
                        "jakarta..", "ai.onnxruntime..", "ai.djl..", "io.lrpsidecar.cli..", "picocli.."));
    }

    @Test
    void compilerEmitsOnnxWithoutTouchingARuntime() {
        assertNoViolation(noClasses().that().resideInAPackage("io.lrpsidecar.compiler..")
                .should().dependOnClassesThat().resideInAnyPackage("org.apache.kafka..", "io.quarkus..",
                        "ai.onnxruntime..", "ai.djl..", "io.lrpsidecar.cli..", "io.lrpsidecar.runtime.."));
    }

    @Test
    void streamTopologyIsPlainKafkaStreamsWithoutQuarkus() {
        assertNoViolation(noClasses().that().resideInAPackage("io.lrpsidecar.stream..")
                .should().dependOnClassesThat().resideInAnyPackage("io.quarkus..", "jakarta..", "io.lrpsidecar.cli..",
                        "io.lrpsidecar.app.."));
    }

    @Test
    void renderingIsPlainJava2dWithoutServiceOrStream() {
        assertNoViolation(noClasses().that().resideInAPackage("io.lrpsidecar.render..")
                .should().dependOnClassesThat().resideInAnyPackage("io.lrpsidecar.app..", "io.lrpsidecar.stream..",
                        "io.lrpsidecar.events..", "io.lrpsidecar.runtime..", "org.apache.kafka..", "io.quarkus..",
                        "jakarta..", "ai.onnxruntime..", "ai.djl.."));
    }

    @Test
    void graphModelDependsOnNothingOfTheEngineOrTheApp() {
        assertNoViolation(noClasses().that().resideInAPackage("io.lrpsidecar.graph..")
                .should().dependOnClassesThat().resideInAnyPackage("io.lrpsidecar.engine..", "io.lrpsidecar.cli..",
                        "org.apache.kafka..", "io.quarkus..", "ai.onnxruntime..", "ai.djl.."));
    }

    /**
     * The layers of ADR 0008: graph, tensor (the primitives and their double-precision implementation), engine,
     * compiler, runtime, stream, then the edge (app and cli); a layer is used only by the layers above it.
     */
    @Test
    void layersAreUsedOnlyFromAbove() {
        assertNoViolation(layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("graph").definedBy("io.lrpsidecar.graph..")
                .layer("tensor").definedBy("io.lrpsidecar.tensor..")
                .layer("engine").definedBy("io.lrpsidecar.engine..")
                .layer("compiler").definedBy("io.lrpsidecar.compiler..")
                .layer("runtime").definedBy("io.lrpsidecar.runtime..")
                .layer("faithfulness").definedBy("io.lrpsidecar.faithfulness..")
                .layer("drift").definedBy("io.lrpsidecar.drift..")
                .layer("stream").definedBy("io.lrpsidecar.stream..")
                .layer("edge").definedBy("io.lrpsidecar.app..", "io.lrpsidecar.cli..")
                .whereLayer("edge").mayNotBeAccessedByAnyLayer()
                .whereLayer("stream").mayOnlyBeAccessedByLayers("edge")
                .whereLayer("faithfulness").mayOnlyBeAccessedByLayers("runtime", "stream", "edge")
                .whereLayer("drift").mayOnlyBeAccessedByLayers("stream", "edge")
                .whereLayer("runtime").mayOnlyBeAccessedByLayers("stream", "edge")
                .whereLayer("compiler").mayOnlyBeAccessedByLayers("runtime", "stream", "edge")
                .whereLayer("engine").mayOnlyBeAccessedByLayers("compiler", "runtime", "faithfulness", "stream", "edge")
                .whereLayer("tensor").mayOnlyBeAccessedByLayers("engine", "compiler", "runtime", "stream", "edge"));
    }

    /** No package cycles (ADR 0008): every package is a slice, and no two of them import each other, even indirectly. */
    @Test
    void packagesAreFreeOfCycles() {
        assertNoViolation(slices().matching("io.lrpsidecar.(**)").should().beFreeOfCycles());
    }
}
