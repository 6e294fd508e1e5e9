package io.lrpsidecar.engine.rule;

import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.tensor.Stabilizer;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;
import java.util.function.Function;

/** The parameters of one parsed call, converted on demand; unused parameters are an error. */
public final class Parameters {
    private final CallSyntax call;
    private final Function<String, Bound> boundReader;
    private final Set<String> usedNames = new HashSet<>();
    private final Set<Integer> usedPositions = new HashSet<>();

    /** Parameters of {@code call}; {@code boundReader} turns a bound text (a number or {@code @file.npy}) into a bound. */
    public Parameters(CallSyntax call, Function<String, Bound> boundReader) {
        this.call = call;
        this.boundReader = boundReader;
    }

    /** The named number, else the default. */
    public double number(String key, double defaultValue) {
        return numberOrPositional(key, -1, defaultValue);
    }

    /** The named value, else the positional value at {@code index} ({@code -1}: none), else the default. */
    public double numberOrPositional(String key, int index, double defaultValue) {
        String text = text(key, index);
        return text == null ? defaultValue : parseNumber(text, key);
    }

    /**
     * The stabilizer form named by {@code sign}: {@code zennit} (the default, {@code z + eps sign0(z)}) or
     * {@code none} (LXT's {@code z + eps}).
     */
    public Stabilizer stabilizerForm() {
        String text = text("sign", -1);
        if (text == null || text.equals("zennit")) {
            return Stabilizer.ZENNIT;
        }
        if (text.equals("none")) {
            return Stabilizer.LXT;
        }
        throw new CompositeSpecException(call.name() + ": parameter 'sign' expected zennit or none, found '" + text
                + "'");
    }

    /** The named bound, which must be given. */
    public Bound requiredBound(String key) {
        String text = text(key, -1);
        if (text == null) {
            throw new CompositeSpecException(call.name() + " needs '" + key + "', the " + (key.equals("low")
                    ? "lowest" : "highest") + " input value, e.g. " + call.name() + "(low=0,high=1) or "
                    + key + "=@" + key + ".npy for per-feature bounds");
        }
        return boundReader.apply(text);
    }

    /** The named bound, else the positional one at {@code index}; one of them must be given. */
    public Bound boundOrPositional(String key, int index) {
        String text = text(key, index);
        if (text == null) {
            throw new CompositeSpecException(call.name() + " needs '" + key + "', e.g. zbox(low=0,high=1)");
        }
        return boundReader.apply(text);
    }

    /** Fails if a named or positional value was given that no read consumed. */
    public void requireAllUsed() {
        for (String key : call.named().keySet()) {
            if (!usedNames.contains(key)) {
                throw new CompositeSpecException(call.name() + " has no parameter '" + key + "'");
            }
        }
        for (int i = 0; i < call.positional().size(); i++) {
            if (!usedPositions.contains(i)) {
                throw new CompositeSpecException(call.name() + " takes no positional value '"
                        + call.positional().get(i) + "'; name the parameter, as in " + call.name() + "(key=value)");
            }
        }
    }

    private String text(String key, int index) {
        if (call.named().containsKey(key)) {
            usedNames.add(key);
            return call.named().get(key);
        }
        if (index >= 0 && index < call.positional().size()) {
            usedPositions.add(index);
            return call.positional().get(index);
        }
        return null;
    }

    private double parseNumber(String text, String key) {
        try {
            return parseNumber(text);
        } catch (CompositeSpecException e) {
            throw new CompositeSpecException(call.name() + ": parameter '" + key + "' " + e.getMessage());
        }
    }

    /** A finite number from its text, else a spec error saying what was found. */
    public static double parseNumber(String text) {
        try {
            double value = Double.parseDouble(text);
            if (!Double.isFinite(value)) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw new CompositeSpecException("expected a finite number, found '" + text + "'");
        }
    }

    /** The first 8 hex digits of the SHA-256 of the values, so specs with different arrays differ. */
    public static String contentHash(Tensor values) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            ByteBuffer buffer = ByteBuffer.allocate(8);
            for (int dim : values.shape()) {
                digest.update(ByteBuffer.allocate(4).putInt(dim).array());
            }
            for (double value : values.asDoubles()) {
                buffer.clear();
                digest.update(buffer.putDouble(value).array());
            }
            return HexFormat.of().formatHex(digest.digest()).substring(0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
