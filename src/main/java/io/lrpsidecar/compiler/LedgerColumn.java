package io.lrpsidecar.compiler;

/**
 * One column of a compiled explainer's ledger: the layer whose output relevance it sums.
 *
 * @param name   the node name
 * @param opType the node's operator in the canonical graph
 * @param rule   the canonical spec of the rule the node got
 */
public record LedgerColumn(String name, String opType, String rule) {
}
