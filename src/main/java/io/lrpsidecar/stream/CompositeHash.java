package io.lrpsidecar.stream;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * The short name of a composite that every explanation carries ({@code compositeHash}): the first 16 hex digits of
 * the SHA-256 of its canonical spec.
 */
public final class CompositeHash {
    private static final Pattern FORM = Pattern.compile("[0-9a-f]{16}");

    private CompositeHash() {
    }

    /** The hash of a canonical spec ({@code Composite.spec()}). */
    public static String of(String spec) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(spec.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** Whether the text has the form of a hash (16 lower-case hex digits), which no composite spec has. */
    public static boolean isHash(String text) {
        return text != null && FORM.matcher(text).matches();
    }
}
