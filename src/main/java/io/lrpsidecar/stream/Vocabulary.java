package io.lrpsidecar.stream;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * How a token model's ids are shown: the token strings, when a vocabulary file is configured, and the id of the
 * padding token, when configured.
 *
 * <p>A vocabulary file is UTF-8 text with one token per line; the line number, counted from 0, is the token id (the
 * {@code vocab.txt} layout of BERT-style tokenizers). Lines end with {@code \n} or {@code \r\n}; a final line break
 * is optional; an empty line is the empty token. The file is read only from the server-side model configuration,
 * never from a path an event or request names, and its size is checked against {@link #MAX_FILE_BYTES} before it is
 * read.
 *
 * @param tokens    the token string of every id below {@code tokens.size()} (may be empty: ids are shown as numbers)
 * @param paddingId the id of the padding token, if the model has one
 */
public record Vocabulary(List<String> tokens, OptionalLong paddingId) {
    /** The largest vocabulary file read, in bytes. */
    public static final long MAX_FILE_BYTES = 16L << 20;

    public Vocabulary {
        tokens = List.copyOf(tokens);
    }

    /** No token strings and no padding token. */
    public static Vocabulary none() {
        return new Vocabulary(List.of(), OptionalLong.empty());
    }

    /**
     * The tokens of a vocabulary file, line by line.
     *
     * @throws IOException naming the file when it cannot be read, exceeds {@link #MAX_FILE_BYTES} or is not UTF-8
     */
    public static List<String> read(Path file) throws IOException {
        long size = Files.size(file);
        if (size > MAX_FILE_BYTES) {
            throw new IOException("vocabulary file " + file.getFileName() + ": expected at most " + MAX_FILE_BYTES
                    + " bytes, found " + size);
        }
        return parse(Files.readAllBytes(file), String.valueOf(file.getFileName()));
    }

    /** The tokens of a vocabulary file's bytes (see the class comment for the layout). */
    static List<String> parse(byte[] bytes, String name) throws IOException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new IOException("vocabulary file " + name + ": expected UTF-8 text, found malformed bytes", e);
        }
        List<String> tokens = new ArrayList<>();
        int start = 0;
        while (start < text.length()) {
            int end = text.indexOf('\n', start);
            int next = end < 0 ? text.length() : end + 1;
            String line = text.substring(start, end < 0 ? text.length() : end);
            tokens.add(line.endsWith("\r") ? line.substring(0, line.length() - 1) : line);
            start = next;
        }
        return tokens;
    }

    /** The token string of an id, when the vocabulary has one. */
    public Optional<String> text(long id) {
        return id >= 0 && id < tokens.size() ? Optional.of(tokens.get((int) id)) : Optional.empty();
    }

    /** Whether an id is the padding token. */
    public boolean isPadding(long id) {
        return paddingId.isPresent() && paddingId.getAsLong() == id;
    }

    /**
     * Fails unless this vocabulary fits a token model with {@code rows} ids.
     *
     * @throws IllegalArgumentException naming the mismatch
     */
    public void check(int rows) {
        if (tokens.size() > rows) {
            throw new IllegalArgumentException("expected a vocabulary of at most " + rows + " tokens (the rows of "
                    + "the model's embedding table), found " + tokens.size());
        }
        if (paddingId.isPresent() && (paddingId.getAsLong() < 0 || paddingId.getAsLong() >= rows)) {
            throw new IllegalArgumentException("expected a padding token id in [0, " + rows + "), found "
                    + paddingId.getAsLong());
        }
    }
}
