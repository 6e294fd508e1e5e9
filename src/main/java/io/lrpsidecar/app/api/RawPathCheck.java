package io.lrpsidecar.app.api;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Checks the path of a request as it arrived, before anything decodes or normalises it: a path that decoding or
 * normalising would turn into another path is refused, so that path rules at an ingress or proxy see the path the
 * service routes. Refused: dot segments ({@code .}, {@code ..}) whether plain or percent-encoded ({@code %2e}),
 * backslashes, encoded slashes and backslashes ({@code %2f}, {@code %5c}), empty segments ({@code //}, which the
 * router merges), NUL and other control characters, and malformed percent-encoding. A double-encoded dot
 * ({@code %252e}) decodes once to the literal text {@code %2e} and passes: it names nothing but itself.
 */
final class RawPathCheck {
    private RawPathCheck() {
    }

    /** Why {@code rawPath} is refused, or empty when it may be routed. */
    static Optional<String> refusal(String rawPath) {
        if (rawPath == null || !rawPath.startsWith("/")) {
            return Optional.of("expected a request path starting with '/', found " + (rawPath == null ? "none"
                    : "'" + shorten(rawPath) + "'"));
        }
        if (rawPath.indexOf('\\') >= 0) {
            return refuse(rawPath, "a backslash");
        }
        String[] segments = rawPath.substring(1).split("/", -1);
        for (int i = 0; i < segments.length; i++) {
            String segment = segments[i];
            if (segment.isEmpty() && i < segments.length - 1) {
                return refuse(rawPath, "an empty segment ('//')");
            }
            Optional<String> decoded = decode(segment);
            if (decoded.isEmpty()) {
                return refuse(rawPath, "malformed percent-encoding in segment '" + shorten(segment) + "'");
            }
            String text = decoded.get();
            if (text.equals(".") || text.equals("..")) {
                return refuse(rawPath, "the dot segment '" + segment + "'");
            }
            if (text.indexOf('/') >= 0 || text.indexOf('\\') >= 0) {
                return refuse(rawPath, "an encoded slash or backslash in segment '" + shorten(segment) + "'");
            }
            if (text.chars().anyMatch(Character::isISOControl)) {
                return refuse(rawPath, "a control character in segment '" + shorten(segment) + "'");
            }
        }
        return Optional.empty();
    }

    /** The segment with its percent-encoding decoded as UTF-8; empty when the encoding is malformed. */
    private static Optional<String> decode(String segment) {
        if (segment.indexOf('%') < 0) {
            return Optional.of(segment);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(segment.length());
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c != '%') {
                byte[] plain = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                bytes.write(plain, 0, plain.length);
                continue;
            }
            if (i + 2 >= segment.length()) {
                return Optional.empty();
            }
            int high = Character.digit(segment.charAt(i + 1), 16);
            int low = Character.digit(segment.charAt(i + 2), 16);
            if (high < 0 || low < 0) {
                return Optional.empty();
            }
            bytes.write(high * 16 + low);
            i += 2;
        }
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> refuse(String rawPath, String what) {
        return Optional.of("expected a path without dot segments, empty segments, backslashes or encoded slashes (it "
                + "could be read as another path), found " + what + " in '" + shorten(rawPath) + "'");
    }

    private static String shorten(String text) {
        return text.length() > 200 ? text.substring(0, 200) + "... (" + text.length() + " characters)" : text;
    }
}
