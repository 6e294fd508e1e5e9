/**
 * Composites: which rule each layer gets, the built-in zennit composites and the custom spec syntax.
 */
package io.lrpsidecar.engine.composite;
