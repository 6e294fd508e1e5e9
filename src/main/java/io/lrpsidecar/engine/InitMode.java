package io.lrpsidecar.engine;

/** How the relevance at the explained output is initialised. */
public enum InitMode {
    /** One-hot times the target logit, so that the input relevance sums to about the logit. */
    LOGIT,
    /** One-hot times 1, zennit's convention ({@code attr_output = one_hot(target)}). */
    ONEHOT
}
