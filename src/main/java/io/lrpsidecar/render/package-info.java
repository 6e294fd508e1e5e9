/**
 * Pictures of explanations for people: relevance heatmaps of image inputs (a symmetric diverging colour map, optionally
 * over the input) and bar charts of the most relevant features of tabular inputs, as PNG. Plain Java 2D, headless.
 */
package io.lrpsidecar.render;
