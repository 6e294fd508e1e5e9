/**
 * The LRP rules with zennit's exact semantics, one class each (every javadoc carries the formula and its citation),
 * each written once against the {@link io.lrpsidecar.tensor.Primitives} so every engine runs the same text; what they
 * see of a node ({@link io.lrpsidecar.engine.rule.Layer}, {@link io.lrpsidecar.engine.rule.NodeView},
 * {@link io.lrpsidecar.engine.rule.OpKind}); and the parameter syntax of the composite specs.
 */
package io.lrpsidecar.engine.rule;
