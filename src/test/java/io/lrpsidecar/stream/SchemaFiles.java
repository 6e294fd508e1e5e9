package io.lrpsidecar.stream;

import java.util.List;

/** The schema files of {@code avro-schemas/}, each after the ones it references. */
final class SchemaFiles {
    static final List<String> IN_DEPENDENCY_ORDER = List.of("DataType.avsc", "Tensor.avsc", "Flag.avsc",
            "SourcePosition.avsc", "PredictionEvent.avsc", "FeatureRelevance.avsc", "LedgerLayer.avsc",
            "Timings.avsc", "Explanation.avsc", "ExplanationMetrics.avsc", "FlaggedPrediction.avsc",
            "DeadLetter.avsc", "PendingPrediction.avsc");

    private SchemaFiles() {
    }
}
