package io.lrpsidecar.cli;

import io.lrpsidecar.faithfulness.CurveSettings;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options {@code lrp evaluate} and {@code lrp recommend} share: the data and how the curves are drawn. */
public class EvaluationOptions {

    @Option(names = "--model", required = true, paramLabel = "M.onnx", description = "The ONNX classifier.")
    Path model;

    @Option(names = "--input", required = true, paramLabel = "X.npy",
            description = "Input rows [rows, ...]: float32/float64, or int64 token ids for a token model.")
    Path input;

    @Option(names = "--labels", paramLabel = "L.npy",
            description = "Integer class per row: the target followed. Without it, the predicted class.")
    Path labels;

    @Option(names = "--baseline", paramLabel = "zero|mean|blur[:SIGMA]|pad:ID|@file.npy",
            description = "What perturbed regions become. Default: mean of the input rows for tabular rows, zero for "
                    + "images, pad:0 for token models.")
    String baseline;

    @Option(names = "--region", paramLabel = "1|RxC", defaultValue = "1",
            description = "Region perturbed at once: 1 (a feature, token or pixel with all its channels) or RxC "
                    + "cells of an image. Default: ${DEFAULT-VALUE}.")
    String region;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "20",
            description = "Perturbation steps (at most one per region). Default: ${DEFAULT-VALUE}.")
    int steps;

    @Option(names = "--order", paramLabel = "ORDER", defaultValue = "morf,lerf,random", split = ",",
            description = "Orders to draw, comma-separated: morf, lerf, random (the random control). "
                    + "Default: ${DEFAULT-VALUE}.")
    java.util.List<String> orders;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "" + CurveSettings.DEFAULT_SEED,
            description = "Seed of the random control (row r uses seed + r). Default: ${DEFAULT-VALUE}.")
    long seed;
}
