/**
 * Canonizers that rewrite a model before rules are assigned, such as merging BatchNorm into the
 * preceding linear layer.
 */
package io.lrpsidecar.engine.canonizer;
