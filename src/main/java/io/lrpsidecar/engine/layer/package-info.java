/**
 * A node as the backward pass sees it: its kind for rule assignment and its forward values.
 */
package io.lrpsidecar.engine.layer;
