/**
 * Reading and writing NumPy {@code .npy} arrays.
 */
package io.lrpsidecar.npy;
