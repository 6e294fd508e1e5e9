package io.lrpsidecar.tensor.doubles;

/**
 * The error function in double precision (the JDK has none): its Maclaurin series below |x| = 3, where at most 60
 * terms reach full precision, and Lentz's continued fraction for {@code erfc} above, which converges quickly there;
 * accurate to about 1e-15 relative.
 */
final class Erf {
    private static final double TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

    private Erf() {
    }

    static double erf(double x) {
        if (Double.isNaN(x)) {
            return x;
        }
        double magnitude = Math.abs(x);
        double value = magnitude < 3 ? series(magnitude) : 1 - complementFraction(magnitude);
        return Math.copySign(value, x);
    }

    /** {@code erf(x) = 2/sqrt(pi) sum_n (-1)^n x^(2n+1) / (n! (2n+1))}. */
    private static double series(double x) {
        double term = x;
        double sum = x;
        double square = x * x;
        for (int n = 1; n < 200; n++) {
            term *= -square / n;
            double contribution = term / (2 * n + 1);
            sum += contribution;
            if (Math.abs(contribution) < 1e-17 * Math.abs(sum)) {
                break;
            }
        }
        return TWO_OVER_SQRT_PI * sum;
    }

    /**
     * {@code erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...)))))} for {@code x >= 3},
     * evaluated with the modified Lentz algorithm.
     */
    private static double complementFraction(double x) {
        if (x > 27) {
            return 0;
        }
        double tiny = 1e-300;
        double f = x;
        double c = x;
        double d = 0;
        for (int n = 1; n < 500; n++) {
            double a = n / 2.0;
            d = x + a * d;
            d = Math.abs(d) < tiny ? tiny : d;
            c = x + a / c;
            c = Math.abs(c) < tiny ? tiny : c;
            d = 1 / d;
            double delta = c * d;
            f *= delta;
            if (Math.abs(delta - 1) < 1e-16) {
                break;
            }
        }
        return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
    }
}
