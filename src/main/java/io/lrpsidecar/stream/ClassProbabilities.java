package io.lrpsidecar.stream;

import io.lrpsidecar.events.v1.ClassProbability;
import java.util.ArrayList;
import java.util.List;

/** The softmax probabilities of a row of logits, and its most probable classes. */
final class ClassProbabilities {
    private ClassProbabilities() {
    }

    /** The softmax of {@code logits}, computed after subtracting the largest logit so that no exponent overflows. */
    static double[] softmax(double[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (double logit : logits) {
            max = Math.max(max, logit);
        }
        double[] probabilities = new double[logits.length];
        double sum = 0;
        for (int k = 0; k < logits.length; k++) {
            probabilities[k] = Math.exp(logits[k] - max);
            sum += probabilities[k];
        }
        for (int k = 0; k < logits.length; k++) {
            probabilities[k] /= sum;
        }
        return probabilities;
    }

    /**
     * The {@code k} most probable classes (at most all of them), most probable first, the earlier index first on
     * ties; named when {@code classNames} has one name per class.
     */
    static List<ClassProbability> top(double[] probabilities, int k, List<String> classNames) {
        List<Integer> order = new ArrayList<>();
        for (int index = 0; index < probabilities.length; index++) {
            order.add(index);
        }
        order.sort((a, b) -> probabilities[a] != probabilities[b] ? Double.compare(probabilities[b],
                probabilities[a]) : Integer.compare(a, b));
        return order.stream().limit(Math.min(k, probabilities.length)).map(index -> ClassProbability.newBuilder()
                .setClassIndex(index).setName(name(index, classNames)).setProbability(probabilities[index]).build())
                .toList();
    }

    /** The name of class {@code index}, or null when the model has no class names or no such class. */
    static String name(Integer index, List<String> classNames) {
        return index == null || index < 0 || index >= classNames.size() ? null : classNames.get(index);
    }
}
