package io.lrpsidecar;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** Keeps the layering of the design: the engine and the graph model stay pure Java. */
class ArchitectureTest {
    private static final JavaClasses PRODUCTION = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.lrpsidecar");

    @Test
    void engineHasNoKafkaQuarkusOrOnnxRuntimeImports() {
        noClasses().that().resideInAPackage("io.lrpsidecar.engine..")
                .should().dependOnClassesThat().resideInAnyPackage("org.apache.kafka..", "io.quarkus..",
                        "jakarta..", "ai.onnxruntime..", "ai.djl..", "io.lrpsidecar.cli..", "picocli..")
                .check(PRODUCTION);
    }

    @Test
    void compilerEmitsOnnxWithoutTouchingARuntime() {
        noClasses().that().resideInAPackage("io.lrpsidecar.compiler..")
                .should().dependOnClassesThat().resideInAnyPackage("org.apache.kafka..", "io.quarkus..",
                        "ai.onnxruntime..", "ai.djl..", "io.lrpsidecar.cli..", "io.lrpsidecar.runtime..")
                .check(PRODUCTION);
    }

    @Test
    void streamTopologyIsPlainKafkaStreamsWithoutQuarkus() {
        noClasses().that().resideInAPackage("io.lrpsidecar.stream..")
                .should().dependOnClassesThat().resideInAnyPackage("io.quarkus..", "jakarta..", "io.lrpsidecar.cli..")
                .check(PRODUCTION);
    }

    @Test
    void graphModelDependsOnNothingOfTheEngineOrTheApp() {
        noClasses().that().resideInAPackage("io.lrpsidecar.graph..")
                .should().dependOnClassesThat().resideInAnyPackage("io.lrpsidecar.engine..", "io.lrpsidecar.cli..",
                        "org.apache.kafka..", "io.quarkus..", "ai.onnxruntime..", "ai.djl..")
                .check(PRODUCTION);
    }
}
