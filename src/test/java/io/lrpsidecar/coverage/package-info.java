/** The torchvision exports of issue #10 point 6, refilled from their committed weight-less graphs. */
package io.lrpsidecar.coverage;
