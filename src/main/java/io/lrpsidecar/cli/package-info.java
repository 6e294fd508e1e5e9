/**
 * The {@code lrp} command line (Quarkus + picocli): user errors end in one line and a non-zero exit.
 */
package io.lrpsidecar.cli;
