package io.lrpsidecar.tensor;

/** How a rule keeps a denominator away from zero, written with the primitives so both engines share it. */
public enum Stabilizer {
    /** zennit: {@code z + eps * sign0(z)} with {@code sign0(0) = +1}; the magnitude grows, the sign is kept. */
    ZENNIT {
        @Override
        public <T> T stabilize(Primitives<T> p, T z, double epsilon) {
            return p.add(z, p.where(p.compare(Comparison.GE, z, p.scalar(0)), p.scalar(epsilon),
                    p.scalar(-epsilon)));
        }
    },
    /** LXT: {@code z + eps}, unsigned. */
    LXT {
        @Override
        public <T> T stabilize(Primitives<T> p, T z, double epsilon) {
            return p.add(z, p.scalar(epsilon));
        }
    };

    /** The stabilized denominator. */
    public abstract <T> T stabilize(Primitives<T> p, T z, double epsilon);

    /** {@code r / stabilize(z, eps)}. */
    public <T> T divide(Primitives<T> p, T r, T z, double epsilon) {
        return p.div(r, stabilize(p, z, epsilon));
    }
}
