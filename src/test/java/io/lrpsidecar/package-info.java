/**
 * Shared test support: the zennit reference cases and relevance comparisons.
 */
package io.lrpsidecar;
