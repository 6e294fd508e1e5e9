/**
 * The LRP rules with zennit's exact semantics, one class each; every javadoc carries the formula and its
 * citation.
 */
package io.lrpsidecar.engine.rules;
