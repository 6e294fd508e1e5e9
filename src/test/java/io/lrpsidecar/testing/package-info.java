/**
 * Test-only support: generators of random but valid ONNX classifier graphs ({@link io.lrpsidecar.testing.RandomModels})
 * used by the property tests of the engine. Nothing here is part of the product.
 */
package io.lrpsidecar.testing;
