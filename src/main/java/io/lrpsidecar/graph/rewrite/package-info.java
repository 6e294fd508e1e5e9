/**
 * Pattern canonicalization in the style of the onnxscript rewriter: an exporter's decomposition of one operation
 * (a LayerNorm below opset 17, the erf and tanh GELU, SiLU as {@code x * Sigmoid(x)}) becomes the single node that
 * the explanation rules are written for, because per-node rules applied inside such a decomposition give different
 * (wrong) relevance.
 *
 * <p>Each pattern is one class implementing {@link io.lrpsidecar.graph.rewrite.RewritePattern}, in three steps:
 * {@code match} finds the structure backwards from the node that produces the pattern's output (the anchor),
 * {@code check} decides on the numbers and the use of the intermediate values (constants within float32 rounding of
 * the formula's, no value leaving the pattern except its output), and {@code rewrite} builds the fused node, which
 * keeps the anchor's output name so that taps and captures still resolve. {@link
 * io.lrpsidecar.graph.rewrite.PatternRewriter} applies all patterns until none matches and reports each
 * {@link io.lrpsidecar.graph.rewrite.Fusion}.
 *
 * <p>The fused nodes are the ONNX {@code LayerNormalization} (opset 17) and {@code Gelu} (opset 20) of the default
 * domain, and {@code Silu} of {@link io.lrpsidecar.graph.Node#LRP_DOMAIN} (ONNX has no SiLU before {@code Swish} of
 * opset 24). The graph's {@code opsetVersion} is left as exported: like {@code Dense}, the fused nodes belong to the
 * project's canonical graph. Depends on {@code io.lrpsidecar.graph} only.
 */
package io.lrpsidecar.graph.rewrite;
