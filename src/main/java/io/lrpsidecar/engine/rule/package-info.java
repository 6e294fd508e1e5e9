/**
 * The LRP rules with zennit's exact semantics, one class each (every javadoc carries the formula and its citation),
 * with what they see of a node ({@link io.lrpsidecar.engine.rule.Layer}, {@link io.lrpsidecar.engine.rule.OpKind})
 * and the parameter syntax of the composite specs.
 */
package io.lrpsidecar.engine.rule;
