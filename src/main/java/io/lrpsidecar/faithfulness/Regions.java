package io.lrpsidecar.faithfulness;

/**
 * A partition of one input row's elements into regions.
 *
 * @param count    the number of regions
 * @param regionOf the region of each element of the row, in C order
 */
public record Regions(int count, int[] regionOf) {

    /**
     * Each region's score: the sum of its elements' relevance, added in element order in double precision (an
     * independent implementation that adds in the same order gets the same bits, so ties break the same way).
     */
    public double[] scores(double[] relevance, int offset) {
        double[] scores = new double[count];
        for (int i = 0; i < regionOf.length; i++) {
            scores[regionOf[i]] += relevance[offset + i];
        }
        return scores;
    }

    /** A mask per region step: whether element {@code i} lies in one of the first {@code perturbed} regions. */
    public boolean[] elementsOf(int[] order, int perturbed) {
        boolean[] inRegion = new boolean[count];
        for (int k = 0; k < perturbed; k++) {
            inRegion[order[k]] = true;
        }
        boolean[] elements = new boolean[regionOf.length];
        for (int i = 0; i < regionOf.length; i++) {
            elements[i] = inRegion[regionOf[i]];
        }
        return elements;
    }
}
